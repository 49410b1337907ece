/**
 * A stand-in for the Lambda Node.js runtime's bootstrap, run as the child
 * process's main module (the real one lives in /var/runtime, outside the
 * task root, as this copy does). It loads the handler named by `_HANDLER`
 * from `LAMBDA_TASK_ROOT` with Lambda's rules, then stays up and answers
 * invocations from the harness over the IPC channel, one at a time, like a
 * warm execution environment. Plain JavaScript with no imports beyond node:
 * builtins, so nothing here can lend the bundle a module it forgot.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** @typedef {{ type: 'invoke', id: number, event: unknown, context: Record<string, unknown>, deadlineMs: number }} Invoke */

/** @param {unknown} error */
function describe(error) {
  if (error instanceof Error) return { errorType: error.name, errorMessage: error.message, stack: error.stack ?? '' };
  return { errorType: typeof error, errorMessage: String(error), stack: '' };
}

/** @param {Record<string, unknown>} message */
function send(message) {
  if (!process.send) throw new Error('bootstrap.mjs must run with an IPC channel');
  process.send(message);
}

/**
 * `dir/file.a.b` → module `dir/file`, export path `a.b`, as the Node.js
 * runtime splits it; the file is the first of .js, .mjs, .cjs that exists.
 * @param {string} taskRoot
 * @param {string} handler
 */
async function loadHandler(taskRoot, handler) {
  const slash = handler.lastIndexOf('/') + 1;
  const dot = handler.indexOf('.', slash);
  if (dot < 0) throw Object.assign(new Error(`Bad handler ${handler}`), { name: 'Runtime.MalformedHandlerName' });
  const modulePath = path.resolve(taskRoot, handler.slice(0, dot));
  const exportPath = handler.slice(dot + 1).split('.');
  const file = ['.js', '.mjs', '.cjs'].map((ext) => modulePath + ext).find((candidate) => existsSync(candidate));
  if (!file) throw Object.assign(new Error(`Cannot find module '${handler.slice(0, dot)}'`), { name: 'Runtime.ImportModuleError' });
  /** @type {unknown} */
  let target;
  try {
    target = await import(pathToFileURL(file).href);
  } catch (error) {
    const { errorType, errorMessage } = describe(error);
    throw Object.assign(new Error(`${errorType}: ${errorMessage}`), { name: 'Runtime.ImportModuleError', cause: error });
  }
  for (const key of exportPath) target = target && typeof target === 'object' ? /** @type {Record<string, unknown>} */ (target)[key] : undefined;
  if (typeof target !== 'function') {
    throw Object.assign(new Error(`${handler} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
  }
  return /** @type {(event: unknown, context: unknown) => unknown} */ (target);
}

/**
 * Whether Node's bundled fetch library (undici: `fetch`, `Headers`,
 * `Response`) has been loaded so far. Not something Lambda reports: a
 * diagnostic for the harness, because loading it costs a cold start tens of
 * milliseconds and the kit keeps it off the request path.
 */
function undiciLoaded() {
  return loadedModules().some((name) => name.includes('undici'));
}

/**
 * Whether Node's https client (with tls, net and http behind it) has been
 * loaded so far. Like `undiciLoaded`, a diagnostic for the harness: a
 * function that starts with its key set in the environment has no reason to
 * load it before it makes an https request.
 */
function httpsLoaded() {
  const loaded = loadedModules();
  return loaded.includes('NativeModule https') || loaded.includes('NativeModule tls');
}

/** Node's own record of the built-in modules loaded in this process (`NativeModule <name>`). */
function loadedModules() {
  /** @type {{ moduleLoadList?: string[] }} */
  const internals = /** @type {never} */ (process);
  return internals.moduleLoadList ?? [];
}

const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
const started = performance.now();
try {
  const handler = await loadHandler(taskRoot, process.env._HANDLER ?? '');
  send({ type: 'ready', initMs: performance.now() - started });
  process.on('message', (/** @type {Invoke} */ message) => {
    if (message.type !== 'invoke') return;
    const context = {
      ...message.context,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, message.deadlineMs - Date.now()),
    };
    const begun = performance.now();
    Promise.resolve()
      .then(() => handler(message.event, context))
      .then(
        (result) => {
          const durationMs = performance.now() - begun;
          send({ type: 'result', id: message.id, result: result ?? null, durationMs, loadedUndici: undiciLoaded(), loadedHttps: httpsLoaded() });
        },
        (error) => send({ type: 'error', id: message.id, error: describe(error), durationMs: performance.now() - begun }),
      );
  });
} catch (error) {
  send({ type: 'init-error', error: describe(error) });
  process.exitCode = 1;
  process.disconnect?.();
}
