/**
 * AppSetting's panel in the local console (Settings tab): where the value
 * comes from, the value itself unless the setting is secret (then only
 * whether one is set), and a form to set a new local value. A secret's
 * value is also handed to the request log, which hides it wherever it
 * appears.
 */
import { BadRequestError } from '../../core/errors.js';
import { inputString, type ConsoleSection } from '../../core/console-panel.js';
import { localDataDir } from '../../local/data-dir.js';
import { readSettingsFile, resolveLocalSetting, settingEnvName, settingsFile, writeSettingsFile } from './local-settings.js';

interface SettingDeclaration {
  readonly key: string;
  readonly secret: boolean;
  readonly default: string | undefined;
}

export function appSettingConsole(setting: SettingDeclaration): ConsoleSection {
  const file = (): string => settingsFile(localDataDir());
  return {
    ui: 'app-setting',
    tab: 'Settings',
    info: { key: setting.key, secret: setting.secret, envName: settingEnvName(setting.key) },
    actions: {
      async get() {
        const local = await resolveLocalSetting(setting.key, file());
        const source = local?.source ?? (setting.default !== undefined ? 'default' : 'unset');
        const value = local?.value ?? setting.default;
        return {
          source,
          isSet: value !== undefined,
          // A secret is never sent to the page, not even to the developer's own browser.
          value: setting.secret ? null : (value ?? null),
        };
      },
      async set(input) {
        const value = inputString(input, 'value', { max: 64 * 1024 });
        if (value === '') throw new BadRequestError('Enter a value (to remove one, use npm run blocks:setting -- unset)');
        const values = await readSettingsFile(file());
        await writeSettingsFile(file(), { ...values, [setting.key]: value });
        return { saved: true };
      },
    },
    async secrets() {
      if (!setting.secret) return [];
      const local = await resolveLocalSetting(setting.key, file());
      return local ? [local.value] : [];
    },
  };
}
