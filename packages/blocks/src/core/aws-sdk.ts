/**
 * How Blocks load an AWS SDK v3 package: synchronously, through Node's
 * CommonJS loader, on a Block's first call (never at import time), so a
 * cold start pays only for the clients its first call touches.
 *
 * Why `require` and not `import()`: the SDK packages ship CommonJS as
 * `main`, and Node's ESM loader imports them through its CommonJS
 * interop (parsing every file for its export names); in a fresh process
 * `require` of `@aws-sdk/client-dynamodb` + `lib-dynamodb` measured about
 * half the time of `import()` of the same (docs/performance.md). It also
 * honours NODE_PATH, which is how the Lambda Node.js runtime exposes its
 * own copy of the SDK (/var/runtime/node_modules), so the bundle can leave
 * `@aws-sdk/*` external. Modules are cached by Node, so every caller in a
 * process shares one copy.
 */
import { createRequire } from 'node:module';

const requireFromKit = createRequire(import.meta.url);

/**
 * `requireAwsSdk<typeof import('@aws-sdk/client-s3')>('@aws-sdk/client-s3')`:
 * the package's exports, loaded on this first call.
 */
export function requireAwsSdk<Module>(name: `@aws-sdk/${string}`): Module {
  return requireFromKit(name) as Module;
}
