import { mkdtemp, readFile, rm, stat, chmod, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Scope } from '../../core/scope.js';
import { AuthBasic as SynthesisAuthBasic } from './index.cdk.js';
import { AUTH_BASIC_KEY_BINDING } from './secret-binding.js';
import { localKeyFile, localSessionKey } from './session-key.js';
import { secretsManagerSessionKey } from './session-key.aws.js';

describe('local session key', () => {
  let dataDir: string;
  const previous = process.env.BLOCKS_DATA_DIR;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'blocks-auth-key-'));
    process.env.BLOCKS_DATA_DIR = dataDir;
  });

  afterEach(async () => {
    process.env.BLOCKS_DATA_DIR = previous;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is generated once under the data dir, readable by the owner only, and reused', async () => {
    const scope = new Scope('my-app');
    const key = await localSessionKey(scope, 'auth')();
    const file = path.join(dataDir, 'auth-basic', 'my-app-auth.key');
    expect(localKeyFile('my-app', 'auth')).toBe(file);
    expect(key.byteLength).toBe(32);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64url')).toEqual(Buffer.from(key));
    expect(await localSessionKey(scope, 'auth')()).toEqual(key);
    expect(await localSessionKey(scope, 'other')()).not.toEqual(key);
  });

  it('tightens a key file that became group- or world-readable', async () => {
    const source = localSessionKey(new Scope('my-app'), 'auth');
    const key = await source();
    const file = localKeyFile('my-app', 'auth');
    await chmod(file, 0o644);
    expect(await source()).toEqual(key);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('refuses a damaged key file instead of silently replacing it', async () => {
    const file = localKeyFile('my-app', 'auth');
    await localSessionKey(new Scope('my-app'), 'auth')();
    await writeFile(file, 'short\n');
    await expect(localSessionKey(new Scope('my-app'), 'auth')()).rejects.toThrow(/damaged/);
  });
});

describe('deployed session key', () => {
  const env = (value: string | undefined): NodeJS.ProcessEnv => (value === undefined ? {} : { [AUTH_BASIC_KEY_BINDING.env]: value });

  it('reads the secret named for its scope and id', async () => {
    const requested: string[] = [];
    const source = secretsManagerSessionKey(
      new Scope('my-app'),
      'auth',
      async (secretId) => {
        requested.push(secretId);
        return 'k'.repeat(64);
      },
      env(JSON.stringify({ 'my-app/auth': 'arn:secret' })),
    );
    expect(Buffer.from(await source()).toString()).toBe('k'.repeat(64));
    expect(requested).toEqual(['arn:secret']);
  });

  it('says what is missing when its secret is not bound', async () => {
    const read = async (): Promise<string> => 'k'.repeat(64);
    const source = secretsManagerSessionKey(new Scope('my-app'), 'auth', read, env('{"other/auth":"arn"}'));
    await expect(source()).rejects.toThrow(/AuthBasic "my-app\/auth" has no Secrets Manager secret ARN: BLOCKS_AUTH_BASIC_SECRETS has no entry/);
  });

  it('has no key during synthesis', async () => {
    const auth = new SynthesisAuthBasic(new Scope('my-app'), 'auth');
    const api = auth.createApi().methodsFor({ requestId: 'r', method: 'm', headers: new Headers(), responseHeaders: new Headers(), cookies: { get: () => 'cookie', set: () => undefined, delete: () => undefined } });
    await expect(api.getAuthState()).rejects.toThrow(/has no session key during CDK synthesis/);
  });
});
