/**
 * `npm run blocks:generate-client [-- --app aws-blocks/index.ts --out aws-blocks --check]`
 * writes blocks.spec.json and clients/{swift,kotlin,dart,typescript} beside
 * the app. `--check` writes nothing and exits 1 when a file is out of date.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateArtifacts, STALE_MESSAGE } from './generate.js';
import { HandWrittenFileError, writeGeneratedFiles } from './generated-files.js';

const { values } = parseArgs({
  options: {
    app: { type: 'string', default: 'aws-blocks/index.ts' },
    out: { type: 'string' },
    'kotlin-package': { type: 'string', default: 'blocks.client' },
    check: { type: 'boolean', default: false },
  },
});

const appFile = path.resolve(values.app);
const outDir = path.resolve(values.out ?? path.dirname(appFile));

try {
  const { files, warnings } = await generateArtifacts({ appFile, kotlinPackage: values['kotlin-package'] });
  for (const warning of warnings) console.warn(`warning: ${warning}`);
  if (values.check) {
    const stale: string[] = [];
    for (const file of files) {
      const current = await readFile(path.join(outDir, file.path), 'utf8').catch(() => undefined);
      if (current !== file.content) stale.push(file.path);
    }
    if (stale.length > 0) {
      console.error(`${STALE_MESSAGE} (out of date: ${stale.join(', ')})`);
      process.exitCode = 1;
    } else {
      console.log('blocks.spec.json and the generated clients are up to date.');
    }
  } else {
    const { written, unchanged } = await writeGeneratedFiles(outDir, files);
    const relative = path.relative(process.cwd(), outDir) || '.';
    for (const file of written) console.log(`wrote ${path.join(relative, file)}`);
    if (unchanged.length > 0) console.log(`${unchanged.length} file(s) already up to date`);
  }
} catch (error) {
  if (error instanceof HandWrittenFileError) {
    console.error(error.message);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
