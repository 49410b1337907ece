/**
 * Source-mapped stack traces for the errors the Lambda handler logs, read
 * from the bundle's `.map` file on the first such error, instead of
 * `--enable-source-maps`. That flag makes Node read and parse the map while
 * the bundle loads, on every cold start, for the rare request that fails:
 * measured in the harness, ~20 ms of init and ~35–40 ms from process start
 * to the first response of `account.me` (docs/performance.md). Errors the
 * kit does not log (a crash outside a request) keep the bundle's positions.
 *
 * Node's fs, module, path and url are looked up on that first error
 * (`process.getBuiltinModule`), not imported: static imports would build
 * their ESM facades with the bundle, ~0.5 ms of every cold start for a path
 * most execution environments never take.
 */
import type { SourceMap, SourceMapPayload } from 'node:module';
import type { Logger } from '../rpc/dispatcher.js';

/** `file:///var/task/index.mjs:1:2345` or `/var/task/index.mjs:1:2345` inside a stack line. */
const POSITION = /((?:file:\/\/)?\/[^\s()]+?\.[cm]?js):(\d+):(\d+)/g;

/** One parsed map per generated file; `null` when it has none (or it is unreadable). */
const maps = new Map<string, SourceMap | null>();

function mapOf(file: string): SourceMap | null {
  let map = maps.get(file);
  if (map === undefined) {
    const mapFile = `${file}.map`;
    const { existsSync, readFileSync } = process.getBuiltinModule('node:fs');
    const nodeModule = process.getBuiltinModule('node:module');
    try {
      map = existsSync(mapFile) ? new nodeModule.SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')) as SourceMapPayload) : null;
    } catch {
      map = null; // a broken map must never turn logging an error into another error
    }
    maps.set(file, map);
  }
  return map;
}

/** The stack with every position in a source-mapped file replaced by its source position. */
export function mapStack(stack: string): string {
  const path = process.getBuiltinModule('node:path');
  const { fileURLToPath } = process.getBuiltinModule('node:url');
  return stack.replace(POSITION, (whole, location: string, line: string, column: string) => {
    const file = location.startsWith('file://') ? fileURLToPath(location) : location;
    const entry = mapOf(file)?.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry || !('originalSource' in entry)) return whole;
    // Sources are relative to the map, as Node's own --enable-source-maps resolves them.
    const original = entry.originalSource;
    const source = original.startsWith('file://') ? fileURLToPath(original) : path.resolve(path.dirname(file), original);
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

/** Maps the stack of `error` and of its `cause` chain, in place (the error is being logged, not rethrown). */
function mapError(value: unknown, seen = new Set<unknown>()): void {
  if (!(value instanceof Error) || seen.has(value)) return;
  seen.add(value);
  if (typeof value.stack === 'string') value.stack = mapStack(value.stack);
  mapError(value.cause, seen);
}

/** `console`, with the stacks of logged errors mapped to the sources. */
export const sourceMappedConsole: Logger = {
  error(message, ...details) {
    for (const detail of details) mapError(detail);
    console.error(message, ...details);
  },
};
