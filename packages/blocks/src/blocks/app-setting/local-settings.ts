/**
 * Where a setting's local value lives: an environment variable (handy in CI
 * and for one-off overrides) or `<data dir>/settings.json`, one JSON object
 * mapping `<scope>/<id>` to its value. The file may hold secrets, so it is
 * written 0600 and parsed as untrusted text (a developer may edit it). Read
 * on every `get()`, so `npm run blocks:setting -- set` takes effect on the
 * next request without restarting the dev server.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isJsonObject, safeJsonParse } from '../../core/safe-json.js';
import { writeFileAtomic } from '../../local/atomic-file.js';

export const SETTINGS_FILE = 'settings.json';

/** `<scope>/<id>` as scopes and ids allow them (see core/scope.ts). */
const SETTING_KEY = /^[A-Za-z][A-Za-z0-9-]{0,47}\/[A-Za-z][A-Za-z0-9_-]{0,47}$/;

export function isSettingKey(key: string): boolean {
  return SETTING_KEY.test(key);
}

/**
 * The override variable of a setting: `notes-app/stripe-key` →
 * `BLOCKS_SETTING_NOTES_APP__STRIPE_KEY` (a double underscore between scope
 * and id, since a scope name may contain `-`).
 */
export function settingEnvName(key: string): string {
  const [scope = '', id = ''] = key.split('/');
  const part = (text: string): string => text.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  return `BLOCKS_SETTING_${part(scope)}__${part(id)}`;
}

export function settingsFile(dataDir: string): string {
  return path.join(dataDir, SETTINGS_FILE);
}

/** The file's values; an absent file is empty, a malformed one an error that never quotes its contents. */
export async function readSettingsFile(file: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  const parsed = safeJsonParse(text);
  if (!isJsonObject(parsed) || Object.values(parsed).some((value) => typeof value !== 'string')) {
    throw new Error(`${file} is not a JSON object of "<scope>/<id>": "<value>" strings; fix or delete it, then set values with npm run blocks:setting.`);
  }
  return parsed as Record<string, string>;
}

export async function writeSettingsFile(file: string, values: Readonly<Record<string, string>>): Promise<void> {
  const sorted = Object.fromEntries(Object.entries(values).sort(([a], [b]) => a.localeCompare(b)));
  await writeFileAtomic(file, `${JSON.stringify(sorted, null, 2)}\n`);
}

export type LocalSource = 'env' | 'file';

/** The value set locally for `key` and where it came from: the environment wins over the file. */
export async function resolveLocalSetting(
  key: string,
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ value: string; source: LocalSource } | undefined> {
  const fromEnv = env[settingEnvName(key)];
  if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, source: 'env' };
  const fromFile = (await readSettingsFile(file))[key];
  return fromFile !== undefined && fromFile !== '' ? { value: fromFile, source: 'file' } : undefined;
}
