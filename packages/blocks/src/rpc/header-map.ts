/**
 * A case-insensitive header map with the WHATWG `Headers` interface, used for
 * every request and response the kit builds on the server.
 *
 * Why not the global `Headers`: in Node it is part of the bundled fetch
 * library (undici), which loads on the first `new Headers()`: about 95
 * internal modules, 12–86 ms of a Lambda cold start, for a map of strings.
 * This class keeps the same contract (name and value validation, lowercase
 * names, repeated values joined with ", ", `Set-Cookie` kept apart, sorted
 * iteration), so code written against `Headers` keeps working; only
 * `instanceof Headers` tells them apart.
 */

/** RFC 9110 token characters: what a field name may consist of. */
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A field value may not carry a NUL, CR or LF (they would split the header). */
const FORBIDDEN_IN_VALUE = /[\0\r\n]/;
/** HTTP whitespace, trimmed from both ends of a value as WHATWG `Headers` does. */
const EDGE_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

const SET_COOKIE = 'set-cookie';

/** What the constructor accepts: what `new Headers(init)` accepts. */
export type HeaderMapInit = Iterable<readonly [string, string]> | Record<string, string>;

function validName(method: string, name: string): string {
  if (!FIELD_NAME.test(name)) throw new TypeError(`Headers.${method}: "${name}" is an invalid header name.`);
  return name.toLowerCase();
}

function validValue(method: string, name: string, value: string): string {
  const normalized = String(value).replace(EDGE_WHITESPACE, '');
  if (FORBIDDEN_IN_VALUE.test(normalized)) {
    throw new TypeError(`Headers.${method}: "${normalized}" is an invalid header value for "${name}".`);
  }
  return normalized;
}

function isIterable(init: HeaderMapInit): init is Iterable<readonly [string, string]> {
  return typeof (init as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function';
}

export class HeaderMap implements Headers {
  /** Lowercase name → its values in the order they were added. */
  readonly #fields = new Map<string, string[]>();

  constructor(init?: HeaderMapInit) {
    if (init === undefined) return;
    if (isIterable(init)) {
      for (const pair of init) {
        if (pair.length !== 2) throw new TypeError('Headers constructor: expected name/value pair to be length 2.');
        this.append(pair[0], pair[1]);
      }
      return;
    }
    for (const [name, value] of Object.entries(init)) this.append(name, value);
  }

  append(name: string, value: string): void {
    const key = validName('append', name);
    const normalized = validValue('append', name, value);
    const values = this.#fields.get(key);
    if (values) values.push(normalized);
    else this.#fields.set(key, [normalized]);
  }

  set(name: string, value: string): void {
    const key = validName('set', name);
    this.#fields.set(key, [validValue('set', name, value)]);
  }

  delete(name: string): void {
    this.#fields.delete(validName('delete', name));
  }

  get(name: string): string | null {
    return this.#fields.get(validName('get', name))?.join(', ') ?? null;
  }

  has(name: string): boolean {
    return this.#fields.has(validName('has', name));
  }

  getSetCookie(): string[] {
    return [...(this.#fields.get(SET_COOKIE) ?? [])];
  }

  forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    for (const [name, value] of this.#pairs()) callback.call(thisArg, value, name, this);
  }

  entries(): HeadersIterator<[string, string]> {
    return this.#pairs().values();
  }

  keys(): HeadersIterator<string> {
    return this.#pairs()
      .map(([name]) => name)
      .values();
  }

  values(): HeadersIterator<string> {
    return this.#pairs()
      .map(([, value]) => value)
      .values();
  }

  [Symbol.iterator](): HeadersIterator<[string, string]> {
    return this.entries();
  }

  /** A snapshot, as WHATWG iteration is: sorted by name, each `Set-Cookie` apart, other repeats joined. */
  #pairs(): Array<[string, string]> {
    const pairs: Array<[string, string]> = [];
    for (const name of [...this.#fields.keys()].sort()) {
      const values = this.#fields.get(name)!;
      if (name === SET_COOKIE) for (const value of values) pairs.push([name, value]);
      else pairs.push([name, values.join(', ')]);
    }
    return pairs;
  }
}
