/**
 * AppSetting locally: values from the environment override or
 * `<data dir>/settings.json`, then the default, then an error that says how
 * to set one. The file may hold secrets: 0600, never quoted in errors.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Scope } from '../../core/scope.js';
import { AppSetting, MissingSettingError } from './index.js';
import { readSettingsFile, settingEnvName, writeSettingsFile } from './local-settings.js';

let dataDir: string;
const saved = { ...process.env };

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'app-setting-'));
  process.env.BLOCKS_DATA_DIR = dataDir;
});
afterEach(async () => {
  process.env = { ...saved };
  await rm(dataDir, { recursive: true, force: true });
});

const file = () => path.join(dataDir, 'settings.json');

describe('AppSetting (local)', () => {
  it('reads the value set in settings.json, live, without a restart', async () => {
    const setting = new AppSetting(new Scope('shop'), 'currency');
    await writeSettingsFile(file(), { 'shop/currency': 'EUR' });
    expect(await setting.get()).toBe('EUR');
    await writeSettingsFile(file(), { 'shop/currency': 'USD' });
    expect(await setting.get()).toBe('USD');
  });

  it('prefers the environment override, then the file, then the default', async () => {
    const setting = new AppSetting(new Scope('shop-eu'), 'tax_rate', { default: '0.2' });
    expect(await setting.get()).toBe('0.2');
    await writeSettingsFile(file(), { 'shop-eu/tax_rate': '0.19' });
    expect(await setting.get()).toBe('0.19');
    expect(settingEnvName('shop-eu/tax_rate')).toBe('BLOCKS_SETTING_SHOP_EU__TAX_RATE');
    process.env.BLOCKS_SETTING_SHOP_EU__TAX_RATE = '0.21';
    expect(await setting.get()).toBe('0.21');
  });

  it('fails a missing value without default with a server-side error naming how to set it', async () => {
    const setting = new AppSetting(new Scope('shop'), 'stripe-key', { secret: true });
    const error = await setting.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingSettingError);
    expect((error as Error).message).toBe(
      'AppSetting "shop/stripe-key" has no value and no default. Set it with `npm run blocks:setting -- set shop/stripe-key <value>` ' +
        'or the environment variable BLOCKS_SETTING_SHOP__STRIPE_KEY.',
    );
    // Not an ApiError: clients get a 500 with a request id, not this text.
    expect(error).not.toHaveProperty('status');
  });

  it('refuses a default for a secret, and empty defaults', () => {
    expect(() => new AppSetting(new Scope('shop'), 'key', { secret: true, default: 'sk_live_x' })).toThrow(/is a secret, so it cannot have a default/);
    expect(() => new AppSetting(new Scope('shop'), 'empty', { default: '' })).toThrow(/non-empty string/);
  });

  it('registers in its scope and shows no value when logged', async () => {
    const scope = new Scope('shop');
    const setting = new AppSetting(scope, 'stripe-key', { secret: true });
    expect(scope.resources.get('stripe-key')).toBe(setting);
    expect(() => new AppSetting(scope, 'stripe-key')).toThrow(/Duplicate id/);
    await writeSettingsFile(file(), { 'shop/stripe-key': 'sk_test_hidden' });
    expect(await setting.get()).toBe('sk_test_hidden');
    expect(JSON.stringify(setting)).toBe('{"kind":"AppSetting","key":"shop/stripe-key","secret":true}');
    expect(inspect(setting, { depth: 5, showHidden: true })).not.toContain('sk_test_hidden');
  });

  it('keeps settings.json owner-only and refuses a malformed one without quoting it', async () => {
    await writeSettingsFile(file(), { 'shop/a': 'x' });
    expect((await stat(file())).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file(), 'utf8'))).toEqual({ 'shop/a': 'x' });
    const setting = new AppSetting(new Scope('shop'), 'b');
    for (const broken of ['{"shop/b": "sk_live_leak"', '{"shop/b": 42, "x": "sk_live_leak"}', '{"__proto__": {"shop/b": "sk_live_leak"}}']) {
      await writeFile(file(), broken);
      const error = (await setting.get().then(() => new Error('no error'), (e: unknown) => e)) as Error;
      expect(error.message).toMatch(/is not a JSON object of "<scope>\/<id>": "<value>" strings/);
      expect(error.message).not.toContain('sk_live_leak');
    }
    await rm(file());
    expect(await readSettingsFile(file())).toEqual({});
  });
});
