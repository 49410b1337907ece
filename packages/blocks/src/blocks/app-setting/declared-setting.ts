/**
 * What `new AppSetting(scope, id, options)` is in every runtime: a
 * declaration in a scope (which is how the CDK backend finds it) whose
 * `get()` asks that runtime's source for the value, then falls back to the
 * default, then fails saying how to set it. Each variant only says where
 * values live and how to set one there.
 */
import type { Scope, ScopedResource } from '../../core/scope.js';
import { MissingSettingError, type AppSettingOptions } from './public.js';

export abstract class DeclaredAppSetting implements ScopedResource {
  readonly kind = 'AppSetting';
  readonly scope: Scope;
  readonly id: string;
  readonly secret: boolean;
  readonly default: string | undefined;

  constructor(scope: Scope, id: string, options: AppSettingOptions = {}) {
    const key = `${scope.name}/${id}`;
    if (options.secret && options.default !== undefined) {
      // A default would sit in the source, the bundle and (deployed) the template.
      throw new TypeError(`AppSetting "${key}" is a secret, so it cannot have a default; set its value per environment instead.`);
    }
    if (options.default !== undefined && (typeof options.default !== 'string' || options.default === '')) {
      throw new TypeError(`AppSetting "${key}": default must be a non-empty string.`);
    }
    this.scope = scope;
    this.id = id;
    this.secret = options.secret === true;
    this.default = options.default;
    scope.register(this);
  }

  /** `<scope>/<id>`: how the CLI, the binding and messages name this setting. */
  get key(): string {
    return `${this.scope.name}/${this.id}`;
  }

  /** The value for the current environment: the one set there, else the default. */
  async get(): Promise<string> {
    const value = await this.read();
    if (value !== undefined) return value;
    if (this.default !== undefined) return this.default;
    throw new MissingSettingError(this.key, this.howToSet());
  }

  /** The value set in this runtime's store, or undefined when none is. */
  protected abstract read(): Promise<string | undefined>;

  /** For the missing-value message: the command that sets this setting here. */
  protected abstract howToSet(): string;

  // A setting is a declaration, not its value: logging one must not print a secret, and cannot.
  toJSON(): { kind: string; key: string; secret: boolean } {
    return { kind: this.kind, key: this.key, secret: this.secret };
  }
}
