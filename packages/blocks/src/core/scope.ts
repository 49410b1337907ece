import { DuplicateIdError } from './errors.js';

/** Anything declared in a scope: an API namespace, a KV store, an auth Block. */
export interface ScopedResource {
  readonly kind: string;
  readonly id: string;
  readonly scope: Scope;
}

// Names end up in CloudFormation logical ids and DynamoDB table names.
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,47}$/;
const ID_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,47}$/;

/** A named group of Blocks resources; ids are unique within a scope. */
export class Scope {
  readonly name: string;
  readonly #resources = new Map<string, ScopedResource>();

  constructor(name: string) {
    if (!NAME_PATTERN.test(name)) {
      throw new TypeError(
        `Invalid scope name "${name}": use 1-48 letters, digits or "-", starting with a letter.`,
      );
    }
    this.name = name;
  }

  /** Called by each resource's constructor. */
  register(resource: ScopedResource): void {
    if (!ID_PATTERN.test(resource.id)) {
      throw new TypeError(
        `Invalid id "${resource.id}" in scope "${this.name}": use 1-48 letters, digits, "_" or "-", starting with a letter.`,
      );
    }
    if (this.#resources.has(resource.id)) throw new DuplicateIdError(this.name, resource.id);
    this.#resources.set(resource.id, resource);
  }

  get resources(): ReadonlyMap<string, ScopedResource> {
    return this.#resources;
  }
}
