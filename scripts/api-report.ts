/**
 * The kit's public surface as a checked file, packages/blocks/API.md: one
 * api-extractor report per entry point of blocks-kit's `exports`, joined in
 * one file. `npm run api:report` rewrites it; `--check` (run by the test
 * suite) fails when the surface changed and the report did not, so every
 * change to the public API shows up in review.
 *
 * api-extractor reads declarations, not sources, so the kit's .d.ts files
 * are emitted first (tsconfig.api.json) next to a copy of its package.json
 * whose `#blocks/*` imports point at them.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CompilerState, Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';

const root = path.resolve(import.meta.dirname, '..');
const kit = path.join(root, 'packages/blocks');
// Not under node_modules: api-extractor takes anything there for an external package.
const work = path.join(tmpdir(), `blocks-api-report-${process.pid}`);
const dts = path.join(work, 'dts');
const reportFile = path.join(kit, 'API.md');
const reportFolder = path.join(work, 'reports');
const check = process.argv.includes('--check');

interface KitPackage {
  readonly exports: Record<string, string>;
  readonly imports: Record<string, Record<string, string>>;
}

function emitDeclarations(pkg: KitPackage): void {
  rmSync(work, { recursive: true, force: true });
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(kit, 'tsconfig.api.json'), '--outDir', dts], { stdio: 'inherit' });
  // The declarations keep `#blocks/<name>` specifiers; resolve them the way the default condition does.
  const imports = Object.fromEntries(
    Object.entries(pkg.imports).map(([specifier, conditions]) => [specifier, (conditions.default ?? '').replace(/^\.\/src\//, './').replace(/\.ts$/, '.d.ts')]),
  );
  writeFileSync(path.join(dts, 'package.json'), JSON.stringify({ name: 'blocks-kit', version: '0.0.0', type: 'module', imports }));
}

interface EntryReport {
  /** How apps import the entry point: `blocks-kit`, `blocks-kit/cdk`, … */
  readonly specifier: string;
  readonly name: string;
  readonly config: ExtractorConfig;
}

function configFor(subpath: string, source: string): EntryReport {
  const name = subpath === '.' ? 'index' : subpath.slice(2).replace(/\//g, '-');
  const entry = path.join(dts, source.replace(/^\.\/src\//, '').replace(/\.ts$/, '.d.ts'));
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: dts,
      mainEntryPointFilePath: entry,
      compiler: {
        overrideTsconfig: {
          compilerOptions: { module: 'esnext', moduleResolution: 'bundler', target: 'es2023', lib: ['es2023', 'dom'], types: ['node'], typeRoots: [path.join(root, 'node_modules/@types')], skipLibCheck: true },
          files: [entry],
        },
      },
      apiReport: { enabled: true, reportFolder, reportTempFolder: reportFolder, reportFileName: `${name}.api.md` },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        // The report is for review; missing release tags and doc-comment style are not our concern.
        extractorMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
        tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
        compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
      },
    },
    configObjectFullPath: path.join(dts, 'api-extractor.json'),
    packageJsonFullPath: path.join(dts, 'package.json'),
  });
  return { specifier: `blocks-kit${subpath === '.' ? '' : subpath.slice(1)}`, name, config };
}

/**
 * One report section per entry point, from one TypeScript program for all of
 * them: building one per entry was most of the run (9 of them).
 */
function sectionsFor(entries: readonly EntryReport[]): string[] {
  const [first] = entries;
  if (!first) return [];
  mkdirSync(reportFolder, { recursive: true });
  const compilerState = CompilerState.create(first.config, { additionalEntryPoints: entries.map((entry) => entry.config.mainEntryPointFilePath) });
  return entries.map(({ specifier, name, config }) => {
    const result = Extractor.invoke(config, { localBuild: true, showVerboseMessages: false, compilerState });
    if (!result.succeeded) throw new Error(`api-extractor failed for ${specifier}`);
    const text = readFileSync(path.join(reportFolder, `${name}.api.md`), 'utf8');
    // Each report starts with its own title and ``` fence; keep the fenced part.
    return `## ${specifier}\n\n${text.slice(text.indexOf('```')).trim()}\n`;
  });
}

const pkg = JSON.parse(readFileSync(path.join(kit, 'package.json'), 'utf8')) as KitPackage;
emitDeclarations(pkg);
const entries = Object.entries(pkg.exports).map(([subpath, source]) => configFor(subpath, source));
const sections = sectionsFor(entries);
const report = [
  '# blocks-kit public API',
  '',
  'Generated by `npm run api:report` (api-extractor, one report per entry point of the package\'s `exports`); do not edit.',
  'A change here is a change to what apps built on the kit can import: review it like one.',
  '',
  ...sections,
].join('\n');

rmSync(work, { recursive: true, force: true });

let current = '';
try {
  current = readFileSync(reportFile, 'utf8');
} catch {
  // No report yet.
}
if (check) {
  if (current !== report) {
    console.error('packages/blocks/API.md is stale: the public API changed. Run `npm run api:report` and commit packages/blocks/API.md.');
    process.exit(1);
  }
  console.info('packages/blocks/API.md is up to date.');
} else {
  writeFileSync(reportFile, report);
  console.info(`Wrote ${path.relative(root, reportFile)}.`);
}
