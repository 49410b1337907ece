import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runUserPoolCli } from './cli.js';
import { DEFAULT_POOL_SETTINGS } from './settings.js';
import { call, srpSignIn, STRONG_PASSWORD, tempDataDir, testPool, tokensOf, decodePayload } from './testing/harness.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDataDir());
});
afterEach(() => cleanup());

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runUserPoolCli([...args, '--data-dir', dir], {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('user pool CLI', () => {
  it('adds a user who can sign in, with groups in the tokens', async () => {
    const added = await run(
      'add',
      'Alice@Example.com',
      '--password',
      STRONG_PASSWORD,
      '--group',
      'admins',
      '--group',
      'ops',
    );
    expect(added.code).toBe(0);
    expect(added.out).toMatch(/^Added alice@example\.com \(sub [0-9a-f-]{36}\) in admins, ops$/);
    const pool = testPool(dir);
    const tokens = tokensOf((await srpSignIn(pool, 'alice@example.com', STRONG_PASSWORD)).final);
    expect(decodePayload(tokens.IdToken)['cognito:groups']).toEqual(['admins', 'ops']);
  });

  it('adds a user with a phone number, who signs in by phone where the pool allows it', async () => {
    const added = await run('add', 'pat@example.com', '--password', STRONG_PASSWORD, '--phone', '+15550104567');
    expect(added.out).toMatch(/^Added pat@example\.com \(sub [0-9a-f-]{36}, phone \+15550104567\)$/);
    const phonePool = testPool(dir, {
      settings: { ...DEFAULT_POOL_SETTINGS, usernameAttributes: ['email', 'phone_number'], requiredAttributes: ['email', 'phone_number'] },
    });
    const tokens = tokensOf((await srpSignIn(phonePool, '+15550104567', STRONG_PASSWORD)).final);
    expect(decodePayload(tokens.IdToken)).toMatchObject({ email: 'pat@example.com', phone_number: '+15550104567', phone_number_verified: true });
    // An email-only pool does not take the number as a sign-in name.
    expect((await srpSignIn(testPool(dir), '+15550104567', STRONG_PASSWORD)).final.status).toBe(400);
    expect((await run('add', 'bad@example.com', '--password', STRONG_PASSWORD, '--phone', '555-0104')).err).toBe(
      'InvalidParameterException: Invalid phone number format.',
    );
  });

  it('adds to and removes from groups, and lists users', async () => {
    await run('add', 'bob@example.com', '--password', STRONG_PASSWORD);
    expect((await run('group', 'bob@example.com', 'admins')).code).toBe(0);
    const listed = await run('list');
    expect(listed.out).toMatch(/^bob@example\.com\t[0-9a-f-]{36}\tconfirmed\tadmins$/);
    expect((await run('ungroup', 'bob@example.com', 'admins')).code).toBe(0);
    const json = JSON.parse((await run('list', '--json')).out) as unknown;
    expect(json).toEqual([expect.objectContaining({ email: 'bob@example.com', groups: [] })]);
  });

  it('prints pending codes', async () => {
    const pool = testPool(dir);
    await call(pool, 'SignUp', { Username: 'carol@example.com', Password: STRONG_PASSWORD });
    expect((await run('code', 'carol@example.com')).out).toBe(await pool.lastCode('carol@example.com'));
    expect((await run('code', 'ghost@example.com')).code).toBe(1);
  });

  it('reports mistakes with exit codes', async () => {
    expect((await run('add', 'dan@example.com')).code).toBe(2);
    expect((await run('add', 'dan@example.com', '--password', 'weak')).err).toMatch(/^InvalidPasswordException/);
    await run('add', 'dan@example.com', '--password', STRONG_PASSWORD);
    expect((await run('add', 'dan@example.com', '--password', STRONG_PASSWORD)).err).toMatch(
      /^UsernameExistsException/,
    );
    expect((await run('group', 'ghost@example.com', 'x')).code).toBe(1);
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run('--bogus')).code).toBe(2);
    expect((await run('--help')).code).toBe(0);
  });

  it('runs as a script with tsx and honours BLOCKS_DATA_DIR', async () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const repoRoot = path.resolve(here, '../../../../..');
    const script = path.join(here, 'cli.ts');
    const env = { ...process.env, BLOCKS_DATA_DIR: dir };
    const exec = promisify(execFile);
    const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
    await exec(tsx, [script, 'add', 'erin@example.com', '--password', STRONG_PASSWORD, '--group', 'admins'], {
      env,
      cwd: repoRoot,
    });
    const { stdout } = await exec(tsx, [script, 'list'], { env, cwd: repoRoot });
    expect(stdout).toContain('erin@example.com');
    expect(stdout).toContain('admins');
  }, 30_000);
});
