import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CodeEvent } from './context.js';
import type { LocalUserPool } from './pool.js';
import { bodyOf, errorType, srpSignIn, STRONG_PASSWORD, tempDataDir, testPool, tokensOf } from './testing/harness.js';

let cleanup: () => Promise<void>;
let pool: LocalUserPool;
let sent: CodeEvent[];
let sub: string;
let accessToken: string;

beforeEach(async () => {
  const temp = await tempDataDir();
  cleanup = temp.cleanup;
  sent = [];
  pool = testPool(temp.dir, { onCode: (event) => sent.push(event) });
  ({ sub } = await pool.adminCreateUser({ email: 'alice@example.com', password: STRONG_PASSWORD }));
  accessToken = tokensOf((await srpSignIn(pool, 'alice@example.com', STRONG_PASSWORD)).final).AccessToken;
});
afterEach(() => cleanup());

const op = (target: string, body: Record<string, unknown> = {}) =>
  pool.handle({ target, body: { AccessToken: accessToken, ...body } });
const attributesOf = async () => {
  const list = bodyOf(await op('GetUser')).UserAttributes as { Name: string; Value: string }[];
  return Object.fromEntries(list.map(({ Name, Value }) => [Name, Value]));
};

describe('GetUser', () => {
  it('returns the username (= sub) and attributes as strings', async () => {
    const response = await op('GetUser');
    expect(response.body).toEqual({
      Username: sub,
      UserAttributes: [
        { Name: 'sub', Value: sub },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'email', Value: 'alice@example.com' },
      ],
    });
  });
});

describe('UpdateUserAttributes', () => {
  it('updates profile attributes at once', async () => {
    const response = await op('UpdateUserAttributes', {
      UserAttributes: [
        { Name: 'name', Value: 'Alice' },
        { Name: 'custom:team', Value: 'blue' },
      ],
    });
    expect(response.body).toEqual({ CodeDeliveryDetailsList: [] });
    expect(await attributesOf()).toMatchObject({ name: 'Alice', 'custom:team': 'blue' });
    const idToken = tokensOf((await srpSignIn(pool, 'alice@example.com', STRONG_PASSWORD)).final).IdToken;
    expect(JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString())).toMatchObject({
      name: 'Alice',
    });
  });

  it('keeps the old email until the new one is verified', async () => {
    const response = await op('UpdateUserAttributes', {
      UserAttributes: [{ Name: 'email', Value: 'New@Example.com' }],
    });
    expect(response.body).toEqual({
      CodeDeliveryDetailsList: [{ Destination: 'n***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' }],
    });
    expect(sent).toEqual([
      { username: 'new@example.com', medium: 'EMAIL', code: expect.stringMatching(/^\d{6}$/), kind: 'verifyEmail' },
    ]);
    expect((await attributesOf()).email).toBe('alice@example.com');
    expect((await srpSignIn(pool, 'alice@example.com', STRONG_PASSWORD)).final.status).toBe(200);

    expect(errorType(await op('VerifyUserAttribute', { AttributeName: 'email', Code: 'nope' }))).toBe(
      'CodeMismatchException',
    );
    const verified = await op('VerifyUserAttribute', { AttributeName: 'email', Code: sent[0]?.code });
    expect(verified.status).toBe(200);
    expect(await attributesOf()).toMatchObject({ email: 'new@example.com', email_verified: 'true' });
    expect((await srpSignIn(pool, 'new@example.com', STRONG_PASSWORD)).final.status).toBe(200);
    expect((await srpSignIn(pool, 'alice@example.com', STRONG_PASSWORD)).final.status).toBe(400);
    // The old address is free again.
    await pool.adminCreateUser({ email: 'alice@example.com', password: STRONG_PASSWORD });
  });

  it('refuses an email another user has', async () => {
    await pool.adminCreateUser({ email: 'bob@example.com', password: STRONG_PASSWORD });
    const response = await op('UpdateUserAttributes', {
      UserAttributes: [{ Name: 'email', Value: 'bob@example.com' }],
    });
    expect(errorType(response)).toBe('AliasExistsException');
  });

  it('refuses read-only attributes', async () => {
    const response = await op('UpdateUserAttributes', { UserAttributes: [{ Name: 'sub', Value: 'x' }] });
    expect(errorType(response)).toBe('NotAuthorizedException');
  });
});

describe('GetUserAttributeVerificationCode', () => {
  it('sends an email code', async () => {
    const response = await op('GetUserAttributeVerificationCode', { AttributeName: 'email' });
    expect(response.body).toMatchObject({ CodeDeliveryDetails: { AttributeName: 'email' } });
    expect(sent[0]?.kind).toBe('verifyEmail');
    expect((await op('VerifyUserAttribute', { AttributeName: 'email', Code: sent[0]?.code })).status).toBe(200);
    expect(errorType(await op('GetUserAttributeVerificationCode', { AttributeName: 'phone_number' }))).toBe(
      'InvalidParameterException',
    );
  });
});

describe('DeleteUserAttributes and DeleteUser', () => {
  it('deletes optional attributes, not the email', async () => {
    await op('UpdateUserAttributes', { UserAttributes: [{ Name: 'name', Value: 'Alice' }] });
    expect((await op('DeleteUserAttributes', { UserAttributeNames: ['name'] })).status).toBe(200);
    expect(await attributesOf()).not.toHaveProperty('name');
    expect(errorType(await op('DeleteUserAttributes', { UserAttributeNames: ['email'] }))).toBe(
      'InvalidParameterException',
    );
  });

  it('deletes the user', async () => {
    expect((await op('DeleteUser')).status).toBe(200);
    expect(errorType(await op('GetUser'))).toBe('UserNotFoundException');
    expect((await srpSignIn(pool, 'alice@example.com', STRONG_PASSWORD)).final.status).toBe(400);
    expect(await pool.listUsers()).toEqual([]);
  });
});
