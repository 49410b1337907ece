/**
 * AppSetting, local variant (the default condition): a configuration value
 * or secret declared in a scope, read from `BLOCKS_SETTING_<SCOPE>__<ID>` or
 * `<data dir>/settings.json` (set with `npm run blocks:setting`). Deployed,
 * the same declaration is an SSM parameter (index.cdk.ts, index.aws.ts).
 *
 * @example
 * const stripeKey = new AppSetting(scope, 'stripe-key', { secret: true });
 * const currency = new AppSetting(scope, 'currency', { default: 'EUR' });
 * const key = await stripeKey.get();
 */
import { localDataDir } from '../../local/data-dir.js';
import { DeclaredAppSetting } from './declared-setting.js';
import type { ConsoleBlock, ConsoleSection } from '../../core/console-panel.js';
import { appSettingConsole } from './console.js';
import { resolveLocalSetting, settingEnvName, settingsFile } from './local-settings.js';

export * from './public.js';

export class AppSetting extends DeclaredAppSetting implements ConsoleBlock {
  /** Its panel in the local console (`/_blocks/`): secrets stay masked. */
  consoleSection(): ConsoleSection {
    return appSettingConsole(this);
  }

  protected async read(): Promise<string | undefined> {
    // The data dir is read per call, like KVStore's, so tests and tools can set BLOCKS_DATA_DIR late.
    return (await resolveLocalSetting(this.key, settingsFile(localDataDir())))?.value;
  }

  protected howToSet(): string {
    return `Set it with \`npm run blocks:setting -- set ${this.key} <value>\` or the environment variable ${settingEnvName(this.key)}.`;
  }
}
