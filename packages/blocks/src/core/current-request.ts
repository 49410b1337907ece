/**
 * The request id of the API call being served, readable from anywhere the
 * call reaches (a Block enqueuing background work records which call asked
 * for it, so a failed job's log line leads back to the request's own).
 *
 * The store sits on `globalThis` under a registered symbol: the dev server
 * loads the kit twice (Node for the dispatcher, Vite for the app module), and
 * both copies must see the same store.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const STORE_KEY: unique symbol = Symbol.for('blocks-kit.currentRequest');
type GlobalWithStore = typeof globalThis & { [STORE_KEY]?: AsyncLocalStorage<string> };

function store(): AsyncLocalStorage<string> {
  const global = globalThis as GlobalWithStore;
  return (global[STORE_KEY] ??= new AsyncLocalStorage<string>());
}

/** Runs `task` with `requestId` as the current request's id. */
export function runWithRequestId<T>(requestId: string, task: () => T): T {
  return store().run(requestId, task);
}

/** The id of the API request being served, or undefined outside one (a job, a schedule, a test). */
export function currentRequestId(): string | undefined {
  return store().getStore();
}
