/**
 * The `https` stand-in of the Lambda bundle (lazy-https.cjs): bundled with
 * the Lambda's own options (its alias included), code importing https every
 * usual way gets the real module, and nothing loads it until the code reads
 * an export.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaEsbuildOptions } from '../cdk/testing/lambda-esbuild.js';

const run = promisify(execFile);

/** A dependency an app might add: it takes https whole (a default import, a subclass of Agent, the CommonJS way). */
const ENTRY = `
import https from 'https';
import * as namespace from 'https';
import { Agent, globalAgent, request } from 'https';
import viaRequire from './via-require.cjs';

const loaded = () => process.moduleLoadList.includes('NativeModule https');
export const loadedAtImport = loaded();

export function use() {
  const real = process.getBuiltinModule('node:https');
  class KeepAlive extends namespace.Agent {}
  return {
    loadedBeforeUse: loadedAtImport,
    agent: new Agent({ keepAlive: true }) instanceof real.Agent,
    subclass: new KeepAlive() instanceof real.Agent,
    globalAgent: globalAgent === real.globalAgent,
    request: request === real.request,
    defaultImport: https.get === real.get && https.Server === real.Server,
    viaRequire: viaRequire() === real.createServer,
  };
}
`;

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lazy-https-'));
  await writeFile(path.join(dir, 'entry.mjs'), ENTRY);
  await writeFile(path.join(dir, 'via-require.cjs'), "const https = require('https');\nmodule.exports = () => https.createServer;\n");
  await build({ ...lambdaEsbuildOptions(dir, 'entry.mjs', path.join(dir, 'out.mjs')), logLevel: 'silent' });
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the https stand-in', () => {
  it('offers every export of node:https', () => {
    const standIn = createRequire(import.meta.url)('./lazy-https.cjs') as object;
    expect(Object.keys(standIn).sort()).toEqual(Object.keys(process.getBuiltinModule('node:https')).sort());
  });

  it('loads https on first use only, and then is https itself for every way of importing it', async () => {
    const script = `import(${JSON.stringify(path.join(dir, 'out.mjs'))}).then((bundle) => console.log(JSON.stringify(bundle.use())))`;
    const { stdout } = await run(process.execPath, ['-e', script]);
    expect(JSON.parse(stdout)).toEqual({
      loadedBeforeUse: false,
      agent: true,
      subclass: true,
      globalAgent: true,
      request: true,
      defaultImport: true,
      viaRequire: true,
    });
  });
});
