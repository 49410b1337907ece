import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalUserPool } from './pool.js';
import { DEFAULT_POOL_SETTINGS, type PoolSettings } from './settings.js';
import { bodyOf, call, decodePayload, errorType, srpSignIn, tempDataDir, testPool, tokensOf } from './testing/harness.js';

/**
 * The pool's checks follow its settings (derived from the app's defineAuth in
 * dev): password policy, required and custom attributes, group order in
 * tokens, token lifetimes.
 */

const FORK: PoolSettings = {
  ...DEFAULT_POOL_SETTINGS,
  passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: false },
  requiredAttributes: ['email', 'preferred_username'],
  customAttributes: ['custom:team'],
  groups: [
    { name: 'editors', precedence: 1 },
    { name: 'admins', precedence: 0 },
  ],
  tokenValidity: { idSeconds: 300, accessSeconds: 600, refreshSeconds: 86400 },
};

let cleanup: () => Promise<void>;
let pool: LocalUserPool;

beforeEach(async () => {
  const temp = await tempDataDir();
  cleanup = temp.cleanup;
  pool = testPool(temp.dir, { settings: FORK });
});
afterEach(() => cleanup());

const attrs = (extra: Record<string, string>) => Object.entries(extra).map(([Name, Value]) => ({ Name, Value }));

describe('a pool with a fork’s settings', () => {
  it('refuses a password shorter than the policy with Cognito’s message', async () => {
    const response = await call(pool, 'SignUp', {
      Username: 'a@example.com',
      Password: 'Short1pass',
      UserAttributes: attrs({ preferred_username: 'a' }),
    });
    expect(bodyOf(response)).toEqual({
      __type: 'InvalidPasswordException',
      message: 'Password did not conform with policy: Password not long enough',
    });
  });

  it('asks for required attributes and refuses custom ones outside the schema', async () => {
    const missing = await call(pool, 'SignUp', { Username: 'a@example.com', Password: 'LongEnough1pass' });
    expect(bodyOf(missing)).toEqual({
      __type: 'InvalidParameterException',
      message: 'Attributes did not conform to the schema: preferred_username: The attribute preferred_username is required',
    });
    const unknown = await call(pool, 'SignUp', {
      Username: 'a@example.com',
      Password: 'LongEnough1pass',
      UserAttributes: attrs({ preferred_username: 'a', 'custom:other': 'x' }),
    });
    expect(errorType(unknown)).toBe('InvalidParameterException');
    const ok = await call(pool, 'SignUp', {
      Username: 'a@example.com',
      Password: 'LongEnough1pass',
      UserAttributes: attrs({ preferred_username: 'a', 'custom:team': 'x' }),
    });
    expect(ok.status).toBe(200);
  });

  it('lists groups by precedence and issues tokens with the client’s lifetimes', async () => {
    await pool.adminCreateUser({ email: 'b@example.com', password: 'LongEnough1pass', groups: ['editors', 'admins'] });
    const { final } = await srpSignIn(pool, 'b@example.com', 'LongEnough1pass');
    const tokens = tokensOf(final);
    const id = decodePayload(tokens.IdToken);
    const access = decodePayload(tokens.AccessToken);
    expect(id['cognito:groups']).toEqual(['admins', 'editors']);
    expect(Number(id.exp) - Number(id.iat)).toBe(300);
    expect(Number(access.exp) - Number(access.iat)).toBe(600);
    expect(bodyOf(final).AuthenticationResult).toMatchObject({ ExpiresIn: 600 });
  });
});
