/**
 * How every Lambda function of a Blocks backend is built and started: one
 * place, so the API handler and any other function the stack adds (a jobs
 * worker, say) are bundled the same way and the cold-start bench
 * (bench/lambda-cold-init.ts) measures what each of them ships.
 */
import { fileURLToPath } from 'node:url';
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * Bundled dependencies that import Node's https by its bare name (aws-jwt-verify's
 * Node layer) get a stand-in that loads it on first use (core/lazy-https.cjs): a
 * static import would load https, tls, net and http with the bundle, on every
 * cold start, for a fetch that a function with its key set in the environment
 * never makes. The kit's own code says `node:https`, which this leaves alone.
 */
export const blocksBundlingAliases: Readonly<Record<string, string>> = {
  https: fileURLToPath(new URL('../core/lazy-https.cjs', import.meta.url)),
};

/** `NodejsFunction` bundling options for a function whose entry imports the app's Blocks. */
export const blocksLambdaBundling: BundlingOptions = {
  format: OutputFormat.ESM,
  target: 'node24',
  minify: true,
  // Minifying renames classes, and error names (`error.data.name`) are part of the API.
  keepNames: true,
  // Shipped next to index.mjs and read only when an error is logged (see below).
  sourceMap: true,
  sourcesContent: false,
  // Node's order: `main` wins and `module` is read only when there is no `main`.
  // A package's `module` build is written for bundlers and is often browser
  // code (`window`, `document`), which `npm run dev` never runs; preferring it
  // here made such a dependency work locally and fail deployed. Packages with
  // an `exports` map (the kit's own, zod, aws-jwt-verify) are not affected.
  mainFields: ['main', 'module'],
  // CommonJS dependencies use `__dirname`/`__filename`, which an ES module
  // does not have: without this a package that only builds a path at load
  // (`path.join(__dirname, 'data')`) throws a ReferenceError at init. The
  // bundle's own directory is the right answer for code that ships inside it;
  // files a dependency reads beside itself are not in the bundle, so those
  // still fail, with ENOENT naming the missing file (README.md, Deploy).
  // Replaced where used, so it costs a cold start nothing; an ES module's own
  // `const __dirname` is a declared name and is left alone.
  define: { __dirname: 'import.meta.dirname', __filename: 'import.meta.filename' },
  // The Node.js runtime ships the AWS SDK v3 under /var/runtime/node_modules
  // (every client; lib-dynamodb and s3-presigned-post seen there in public
  // Lambda stack traces, docs/performance.md round six), so none of it is
  // bundled: the zip stays small and a presigner always meets the client-s3
  // of its own release. Bundling only part
  // of the SDK is what mixes versions. Blocks load these packages with
  // `require` on first use (core/aws-sdk.ts), never at init. tests/deployed
  // runs the asset with nothing but @aws-sdk beside it.
  externalModules: ['@aws-sdk/*'],
  esbuildArgs: {
    '--conditions': 'aws-runtime',
    ...Object.fromEntries(Object.entries(blocksBundlingAliases).map(([name, target]) => [`--alias:${name}`, target])),
  },
  // CommonJS dependencies inside an ESM bundle still call require().
  banner: "import { createRequire as __blocksCreateRequire } from 'node:module'; const require = __blocksCreateRequire(import.meta.url);",
};

// No `NODE_OPTIONS=--enable-source-maps`: with it Node reads and parses the
// map while the bundle loads, on every cold start (~20 ms of init measured in
// bench/lambda-cold-init.ts). The map still ships (`sourceMap: true`) and the
// Lambda transport applies it to the errors it logs, on the first one
// (transports/source-mapped-stack.ts).
