/** `npm run blocks:setting`: set, get, unset and list local values, secrets masked. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSettingCli } from './cli.js';

const APP = path.join(import.meta.dirname, 'testing', 'local-fixture-app.ts');
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'setting-cli-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function run(args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv; app?: string } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runSettingCli(
    [...args, '--data-dir', dir, '--app', options.app ?? APP],
    { out: (line) => out.push(line), err: (line) => err.push(line), readStdin: () => Promise.resolve(options.stdin ?? '') },
    options.env ?? {},
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('setting CLI', () => {
  it('sets a value (never echoing it), gets it, and writes settings.json 0600', async () => {
    const set = await run(['set', 'cli-app/stripe-key', 'sk_test_123']);
    expect(set.code).toBe(0);
    expect(set.out).toBe(`Set cli-app/stripe-key in ${path.join(dir, 'settings.json')}`);
    expect(set.out + set.err).not.toContain('sk_test_123');
    expect((await run(['get', 'cli-app/stripe-key'])).out).toBe('sk_test_123');
    const file = path.join(dir, 'settings.json');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ 'cli-app/stripe-key': 'sk_test_123' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('reads the value from stdin when none is given, dropping one trailing newline', async () => {
    expect((await run(['set', 'cli-app/stripe-key'], { stdin: 'sk_from_stdin\n' })).code).toBe(0);
    expect((await run(['get', 'cli-app/stripe-key'])).out).toBe('sk_from_stdin');
    expect((await run(['set', 'cli-app/stripe-key'], { stdin: '' })).code).toBe(2);
  });

  it('lists declared settings and stray values, masking secrets and anything undeclared', async () => {
    await run(['set', 'cli-app/stripe-key', 'sk_test_123']);
    await run(['set', 'cli-app/region', 'eu-west-1']);
    const stray = await run(['set', 'other/thing', 'stray-value']);
    expect(stray.err).toMatch(/declares no AppSetting "other\/thing"/);
    const listed = await run(['list']);
    expect(listed.code).toBe(0);
    expect(listed.out.split('\n')).toEqual([
      'cli-app/currency\tEUR\tdefault\tplain',
      'cli-app/region\teu-west-1\tfile\tplain',
      'cli-app/stripe-key\t********\tfile\tsecret',
      'cli-app/webhook-secret\t-\tmissing\tsecret',
      'other/thing\t********\tfile\tundeclared',
    ]);
    expect(listed.out).not.toMatch(/sk_test_123|stray-value/);
  });

  it('masks every value when the app cannot be loaded', async () => {
    await run(['set', 'cli-app/region', 'eu-west-1']);
    const listed = await run(['list'], { app: path.join(dir, 'missing.ts') });
    expect(listed.out).toBe('cli-app/region\t********\tfile\tundeclared');
  });

  it('reports the environment override, defaults and missing values like the Block does', async () => {
    const env = { BLOCKS_SETTING_CLI_APP__REGION: 'us-east-1' };
    const set = await run(['set', 'cli-app/region', 'eu-west-1'], { env });
    expect(set.err).toMatch(/BLOCKS_SETTING_CLI_APP__REGION is set and takes precedence/);
    expect((await run(['get', 'cli-app/region'], { env })).out).toBe('us-east-1');
    expect((await run(['get', 'cli-app/currency'])).out).toBe('EUR');
    const missing = await run(['get', 'cli-app/webhook-secret']);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe('cli-app/webhook-secret has no local value and no default.');
  });

  it('unsets values and reports mistakes with exit codes', async () => {
    await run(['set', 'cli-app/region', 'eu-west-1']);
    expect((await run(['unset', 'cli-app/region'])).code).toBe(0);
    expect((await run(['unset', 'cli-app/region'])).code).toBe(1);
    expect((await run(['set', 'not-a-key', 'x'])).code).toBe(2);
    expect((await run(['get'])).code).toBe(2);
    expect((await run(['get', 'cli-app/region', 'extra'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run(['--bogus'])).code).toBe(2);
    expect((await run(['--help'])).code).toBe(0);
    await writeFile(path.join(dir, 'settings.json'), '{"cli-app/region": "sk_live_leak"');
    await expect(run(['list'])).rejects.toThrow(/is not a JSON object/);
  });

  it('runs as the blocks:setting script and honours BLOCKS_DATA_DIR', async () => {
    const repoRoot = path.resolve(import.meta.dirname, '../../../../..');
    const env = { ...process.env, BLOCKS_DATA_DIR: dir };
    const exec = promisify(execFile);
    await exec('npx', ['tsx', path.join(import.meta.dirname, 'cli.ts'), 'set', 'cli-app/region', 'ap-south-1', '--app', APP], { cwd: repoRoot, env });
    const { stdout } = await exec('npx', ['tsx', path.join(import.meta.dirname, 'cli.ts'), 'get', 'cli-app/region', '--app', APP], { cwd: repoRoot, env });
    expect(stdout.trim()).toBe('ap-south-1');
  });
});
