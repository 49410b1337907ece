/**
 * `npm run blocks:setting`: sets and reads the local values of AppSettings
 * (`<data dir>/settings.json`), so a developer never edits a file of
 * secrets by hand. It loads the app module to learn which settings exist,
 * which are secrets and their defaults; `list` masks every secret, and any
 * value it cannot classify (no app, an undeclared key). Development only:
 * deployed values live in SSM Parameter Store (see README.md).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readAppModule } from '../../core/app-module.js';
import { localDataDir } from '../../local/data-dir.js';
import {
  isSettingKey,
  readSettingsFile,
  resolveLocalSetting,
  settingEnvName,
  settingsFile,
  writeSettingsFile,
} from './local-settings.js';
import { runWhenInvoked } from '../../local/cli-main.js';

const USAGE = `Local AppSetting values (development only; deployed values live in SSM Parameter Store)

  set <scope>/<id> [value]   set a value; without [value] it is read from stdin,
                             which keeps secrets out of your shell history
  get <scope>/<id>           print the value the dev server would use
  unset <scope>/<id>         remove the local value
  list                       every declared setting and local value; secrets masked

Options: --data-dir <dir> (default $BLOCKS_DATA_DIR or ./.blocks-data)
         --app <file>     (default aws-blocks/index.ts: which settings exist, which are secret)`;

const MASK = '********';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** The whole of stdin, for `set` without a value. */
  readStdin(): Promise<string>;
}

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const consoleIo: CliIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  readStdin: readProcessStdin,
};

interface Declared {
  readonly secret: boolean;
  readonly default: string | undefined;
}

/** The app's AppSettings by `<scope>/<id>`, or undefined when the app cannot be loaded (then everything is masked). */
async function declaredSettings(appFile: string, io: CliIo): Promise<Map<string, Declared> | undefined> {
  if (!existsSync(appFile)) return undefined;
  try {
    const app = readAppModule((await import(pathToFileURL(appFile).href)) as Record<string, unknown>);
    const settings = new Map<string, Declared>();
    for (const resource of app.resources) {
      if (resource.kind !== 'AppSetting') continue;
      const { secret, default: fallback } = resource as unknown as Partial<Declared>;
      settings.set(`${resource.scope.name}/${resource.id}`, { secret: secret === true, default: typeof fallback === 'string' ? fallback : undefined });
    }
    return settings;
  } catch (error) {
    io.err(`(could not load ${appFile}: ${(error as Error).message}; every value is masked)`);
    return undefined;
  }
}

/** Runs one CLI command; resolves to the process exit code. */
export async function runSettingCli(argv: string[], io: CliIo = consoleIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'data-dir': { type: 'string' },
        app: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, key, value, ...extra] = positionals;
  if (values.help || !command) {
    io.out(USAGE);
    return values.help ? 0 : 2;
  }
  const file = settingsFile(values['data-dir'] ? path.resolve(values['data-dir']) : localDataDir());
  const appFile = path.resolve(values.app ?? path.join('aws-blocks', 'index.ts'));
  const needsKey = command === 'set' || command === 'get' || command === 'unset';
  if (needsKey && (!key || !isSettingKey(key))) {
    io.err(`${command} needs a setting as <scope>/<id>, e.g. notes-app/webhook-secret\n\n${USAGE}`);
    return 2;
  }
  if (extra.length > 0 || (command !== 'set' && value !== undefined)) {
    io.err(`Too many arguments\n\n${USAGE}`);
    return 2;
  }

  switch (command) {
    case 'set': {
      // One trailing newline is what `echo` and heredocs add, never part of a key.
      const next = value ?? (await io.readStdin()).replace(/\r?\n$/, '');
      if (next === '') {
        io.err('Refusing to set an empty value; use unset to remove one.');
        return 2;
      }
      const declared = await declaredSettings(appFile, io);
      if (declared && !declared.has(key!)) io.err(`Note: ${path.relative(process.cwd(), appFile)} declares no AppSetting "${key}".`);
      const current = await readSettingsFile(file);
      await writeSettingsFile(file, { ...current, [key!]: next });
      // Never echo the value: it may be a secret, and terminals get recorded.
      io.out(`Set ${key} in ${file}`);
      if (env[settingEnvName(key!)]) io.err(`Note: ${settingEnvName(key!)} is set and takes precedence over the file.`);
      return 0;
    }
    case 'get': {
      const local = await resolveLocalSetting(key!, file, env);
      const fallback = local ? undefined : (await declaredSettings(appFile, io))?.get(key!)?.default;
      const found = local?.value ?? fallback;
      if (found === undefined) {
        io.err(`${key} has no local value${fallback === undefined ? ' and no default' : ''}.`);
        return 1;
      }
      io.out(found);
      return 0;
    }
    case 'unset': {
      const current = await readSettingsFile(file);
      if (!Object.hasOwn(current, key!)) {
        io.err(`${key} has no value in ${file}`);
        return 1;
      }
      const { [key!]: _removed, ...rest } = current;
      await writeSettingsFile(file, rest);
      io.out(`Removed ${key} from ${file}`);
      return 0;
    }
    case 'list': {
      const declared = await declaredSettings(appFile, io);
      const keys = [...new Set([...(declared?.keys() ?? []), ...Object.keys(await readSettingsFile(file))])].sort();
      if (keys.length === 0) {
        io.out(`No AppSettings declared and no values in ${file}`);
        return 0;
      }
      for (const name of keys) {
        const info = declared?.get(name);
        const local = await resolveLocalSetting(name, file, env);
        const source = local?.source ?? (info?.default !== undefined ? 'default' : 'missing');
        const shown = local?.value ?? info?.default;
        // Unknown keys are masked too: without the declaration we cannot tell they are not secret.
        const masked = info === undefined || info.secret;
        const label = info === undefined ? 'undeclared' : info.secret ? 'secret' : 'plain';
        io.out(`${name}\t${shown === undefined ? '-' : masked ? MASK : shown}\t${source}\t${label}`);
      }
      return 0;
    }
    default:
      io.err(`Unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

runWhenInvoked(import.meta.url, runSettingCli);
