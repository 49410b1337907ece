/**
 * How a Block shows up in the local console (`/_blocks/` on the dev
 * server): its local variant implements `ConsoleBlock`, returning a section
 * with JSON actions, and its folder's `console-ui.tsx` renders that section
 * in the browser. The console finds both generically (the server by this
 * interface, the page by file name), so adding a Block's panel never edits
 * the console itself. Only local variants implement it: the deployed ones
 * have no console.
 */
import type { ScopedResource } from './scope.js';
import { BadRequestError } from './errors.js';

/** An action's input: the JSON object the console page posted. */
export type ConsoleInput = Readonly<Record<string, unknown>>;

/** Answers JSON; throws an ApiError (BadRequestError, ConflictError…) for the page to show. */
export type ConsoleAction = (input: ConsoleInput) => Promise<unknown>;

export interface ConsoleSection {
  /** The `id` of the console-ui.tsx module that renders this section, e.g. `kv-store`. */
  readonly ui: string;
  /** The tab it appears under (`Data`, `Files`…); sections with the same tab share it. */
  readonly tab: string;
  /** JSON the page gets with the section list (e.g. whether a setting is secret). */
  readonly info?: Readonly<Record<string, unknown>>;
  readonly actions: Readonly<Record<string, ConsoleAction>>;
  /** Values the request log must never show (a secret setting's value), wherever they appear. */
  secrets?(): Promise<readonly string[]>;
}

export interface ConsoleBlock extends ScopedResource {
  consoleSection(): ConsoleSection;
}

export function isConsoleBlock(resource: ScopedResource): resource is ConsoleBlock {
  return typeof (resource as Partial<ConsoleBlock>).consoleSection === 'function';
}

/** A string field of an action's input, or a 400 naming it. */
export function inputString(input: ConsoleInput, name: string, options: { optional?: boolean; max?: number } = {}): string {
  const value = input[name];
  if (value === undefined && options.optional) return '';
  if (typeof value !== 'string') throw new BadRequestError(`"${name}" must be a string`);
  if (value.length > (options.max ?? 4096)) throw new BadRequestError(`"${name}" is too long`);
  return value;
}

/** An optional non-negative integer field of an action's input. */
export function inputInteger(input: ConsoleInput, name: string): number | undefined {
  const value = input[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new BadRequestError(`"${name}" must be a whole number`);
  return value;
}
