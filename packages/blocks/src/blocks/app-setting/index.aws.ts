/**
 * AppSetting under the `aws-runtime` condition (inside the Lambda): the
 * value of the SSM parameter its `cdk` variant named and bound, read on
 * first use (secrets with decryption) and kept for a minute, so a warm
 * function reads each setting about once a minute however busy it is, and a
 * value put with `aws ssm put-parameter` is live within a minute.
 */
import { readBinding } from '../../core/binding.js';
import { DeclaredAppSetting } from './declared-setting.js';
import { APP_SETTING_BINDING, putParameterCommand } from './setting-binding.js';
import { readParameter, SETTING_CACHE_MS } from './ssm-reader.js';

export * from './public.js';

export class AppSetting extends DeclaredAppSetting {
  #parameter?: string;
  #cached?: { readonly value: string | undefined; readonly until: number };
  #reading?: Promise<string | undefined>;

  protected async read(): Promise<string | undefined> {
    const now = Date.now();
    if (this.#cached && now < this.#cached.until) return this.#cached.value;
    // Concurrent requests of a cold function share one call.
    this.#reading ??= this.#fetch().finally(() => {
      this.#reading = undefined;
    });
    return this.#reading;
  }

  async #fetch(): Promise<string | undefined> {
    this.#parameter ??= readBinding(APP_SETTING_BINDING, this);
    const found = await readParameter(this.#parameter, this.secret);
    if (found && this.secret && found.type !== 'SecureString') {
      throw new Error(`AppSetting "${this.key}" is a secret, but ${this.#parameter} is a ${found.type ?? 'plain'} parameter; store it as a SecureString: ${putParameterCommand(this.#parameter, true)}`);
    }
    const value = found?.value === '' ? undefined : found?.value;
    this.#cached = { value, until: Date.now() + SETTING_CACHE_MS };
    return value;
  }

  protected howToSet(): string {
    const name = this.#parameter ?? readBinding(APP_SETTING_BINDING, this);
    return `Put it in SSM Parameter Store (default KMS key): ${putParameterCommand(name, this.secret)}`;
  }
}
