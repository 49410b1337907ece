/**
 * The Lambda bundling options, applied to dependencies an app might add:
 * bundled as `NodejsFunction` bundles them and run in plain Node from a file
 * (as Lambda imports the handler), a dependency behaves as it does under
 * `npm run dev`, or fails in the way the README's Deploy section describes.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaEsbuildOptions } from './testing/lambda-esbuild.js';

const run = promisify(execFile);

/** Tiny packages as npm would install them: name → files. */
const PACKAGES: Record<string, Record<string, string>> = {
  // CommonJS that builds a path from __dirname when it loads.
  'dirname-at-load': {
    'package.json': '{"name":"dirname-at-load","version":"1.0.0","main":"index.js"}',
    'index.js': "const path = require('path');\nconst templates = path.join(__dirname, 'templates');\nexports.where = () => ({ templates, file: __filename });\n",
  },
  // CommonJS that reads a data file beside itself on use.
  'reads-beside-itself': {
    'package.json': '{"name":"reads-beside-itself","version":"1.0.0","main":"index.js"}',
    'index.js': "const fs = require('fs');\nconst path = require('path');\nexports.read = () => fs.readFileSync(path.join(__dirname, 'words.txt'), 'utf8');\n",
    'words.txt': 'alpha\n',
  },
  // `main` for Node, `module` a browser build: Node never reads `module`.
  'browser-module-field': {
    'package.json': '{"name":"browser-module-field","version":"1.0.0","main":"node.js","module":"browser.mjs"}',
    'node.js': "exports.platform = () => 'node';\n",
    'browser.mjs': 'export const platform = () => window.navigator.userAgent;\n',
  },
};

const ENTRY = `
import { where } from 'dirname-at-load';
import { read } from 'reads-beside-itself';
import { platform } from 'browser-module-field';

// An ES module of the app with its own __dirname, the usual ESM idiom: it must keep it.
const __dirname = 'declared by the app';

export function use() {
  let readBesideItself;
  try {
    read();
    readBesideItself = 'read';
  } catch (error) {
    readBesideItself = error.code + ' ' + error.path;
  }
  return { ...where(), readBesideItself, platform: platform(), appDirname: __dirname };
}
`;

let dir: string;
let out: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lambda-bundling-'));
  for (const [name, files] of Object.entries(PACKAGES)) {
    await mkdir(path.join(dir, 'node_modules', name), { recursive: true });
    for (const [file, text] of Object.entries(files)) await writeFile(path.join(dir, 'node_modules', name, file), text);
  }
  await writeFile(path.join(dir, 'entry.mjs'), ENTRY);
  out = path.join(dir, 'task');
  // The options NodejsFunction derives from blocksLambdaBundling (bench/lambda-bundle.ts checks they give CDK's bytes).
  await build({ ...lambdaEsbuildOptions(dir, 'entry.mjs', path.join(out, 'index.mjs')), logLevel: 'silent' });
  // Run from a file, as Lambda imports the handler: `node -e` would lend the bundle its own __dirname.
  await writeFile(path.join(dir, 'run.mjs'), `const bundle = await import('./task/index.mjs');\nconsole.log(JSON.stringify(bundle.use()));\n`);
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the Lambda bundle with an app dependency', () => {
  it('runs as under Node: __dirname/__filename are the bundle\'s, `main` is preferred to a browser `module` build, the app keeps its own __dirname', async () => {
    const { stdout } = await run(process.execPath, [path.join(dir, 'run.mjs')]);
    expect(JSON.parse(stdout)).toEqual({
      templates: path.join(out, 'templates'),
      file: path.join(out, 'index.mjs'),
      // Files beside a dependency are not bundled: the error names the file it looked for.
      readBesideItself: `ENOENT ${path.join(out, 'words.txt')}`,
      platform: 'node',
      appDirname: 'declared by the app',
    });
  });
});
