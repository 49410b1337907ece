/**
 * The esbuild options `NodejsFunction` derives from `blocksLambdaBundling`
 * (aws-cdk-lib's `Bundling.createBundlingCommand`: `--bundle --platform=node
 * --format=esm --target=… --minify --keep-names --sourcemap
 * --sources-content=false --external:… --main-fields=… --define:… --banner:js=…`
 * plus the `esbuildArgs`), for building the Lambda bundle outside CDK: the
 * bench's metafile build and the tests that run a dependency inside the
 * bundle. bench/lambda-bundle.ts checks that the output equals CDK's asset
 * byte for byte, so this mapping cannot drift unnoticed.
 */
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';
import { blocksBundlingAliases, blocksLambdaBundling } from '../lambda-bundling.js';

/** `entry` relative to `absWorkingDir`, as CDK passes it; the bundle goes to `outfile`. */
export function lambdaEsbuildOptions(absWorkingDir: string, entry: string, outfile: string): BuildOptions {
  const bundling = blocksLambdaBundling;
  const conditions = bundling.esbuildArgs?.['--conditions'];
  return {
    absWorkingDir,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: bundling.format === OutputFormat.ESM ? 'esm' : 'cjs',
    ...(bundling.target !== undefined && { target: bundling.target }),
    minify: bundling.minify ?? false,
    keepNames: bundling.keepNames ?? false,
    sourcemap: bundling.sourceMap ?? false,
    sourcesContent: bundling.sourcesContent ?? true,
    external: [...(bundling.externalModules ?? [])],
    mainFields: [...(bundling.mainFields ?? [])],
    conditions: typeof conditions === 'string' ? conditions.split(',') : [],
    define: { ...bundling.define },
    banner: { js: bundling.banner ?? '' },
    alias: { ...blocksBundlingAliases },
    logLevel: 'warning',
  };
}
