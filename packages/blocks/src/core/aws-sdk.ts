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
  try {
    return requireFromKit(name) as Module;
  } catch (error) {
    if (!isMissing(error, name)) throw error;
    // The bare "Cannot find module" says nothing of where the SDK was expected to come from.
    throw new Error(
      `AWS SDK package ${name} was not found. Deployed, Blocks use the copy the Lambda Node.js runtime provides ` +
        '(/var/runtime/node_modules; the bundle leaves @aws-sdk/* out); locally and in tests it comes from node_modules (npm install).',
      { cause: error },
    );
  }
}

/** Whether `error` is Node's report that `name` itself (not one of its own imports) cannot be resolved. */
function isMissing(error: unknown, name: string): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === 'MODULE_NOT_FOUND' && typeof message === 'string' && message.startsWith(`Cannot find module '${name}'`);
}
