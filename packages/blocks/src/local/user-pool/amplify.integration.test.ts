import { randomBytes, randomInt } from 'node:crypto';
import {
  confirmResetPassword,
  confirmSignUp,
  fetchAuthSession,
  fetchUserAttributes,
  getCurrentUser,
  resetPassword,
  signIn,
  signOut,
  signUp,
  updatePassword,
  updateUserAttributes,
  confirmUserAttribute,
  autoSignIn,
  resendSignUpCode,
} from 'aws-amplify/auth';
import { JwtVerifier } from 'aws-jwt-verify';
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorName, pointAmplifyAt, recordCognitoTargets } from './testing/amplify-client.js';
import { servePool, tempDataDir, type ServedPool } from './testing/harness.js';

/**
 * The unmodified aws-amplify v6 client against the local pool over HTTP,
 * exactly as the app uses it. Each Cognito call the client makes is recorded
 * so the test also documents which operations the flows exercise.
 */

const calls: string[] = [];
let served: ServedPool;
let cleanup: () => Promise<void>;

/** A password meeting the default policy, random so SRP padding edge cases come up. */
function randomPassword(): string {
  return `Aa1!${randomBytes(6 + randomInt(10)).toString('base64url')}`;
}

function randomEmail(): string {
  return `user-${randomBytes(6).toString('hex')}@Example.com`;
}

async function signUpConfirmed(email: string, password: string): Promise<void> {
  const result = await signUp({ username: email, password, options: { userAttributes: { email } } });
  expect(result.nextStep.signUpStep).toBe('CONFIRM_SIGN_UP');
  const code = await served.pool.lastCode(email);
  expect(code).toMatch(/^\d{6}$/);
  const confirmed = await confirmSignUp({ username: email, confirmationCode: code ?? '' });
  expect(confirmed.isSignUpComplete).toBe(true);
}

beforeAll(async () => {
  const temp = await tempDataDir();
  cleanup = temp.cleanup;
  served = await servePool(temp.dir);
  recordCognitoTargets(served, calls);
  pointAmplifyAt(served, { email: true });
});

afterAll(async () => {
  await served.close();
  await cleanup();
});

describe('aws-amplify against the local user pool', () => {
  const email = randomEmail();
  let password = randomPassword();

  it('signs up, confirms, signs in with SRP and gets verifiable tokens', async () => {
    calls.length = 0;
    await signUpConfirmed(email, password);
    const result = await signIn({ username: email, password });
    expect(result.isSignedIn).toBe(true);
    expect(calls).toEqual(['SignUp', 'ConfirmSignUp', 'InitiateAuth', 'RespondToAuthChallenge']);

    const user = await getCurrentUser();
    expect(user.signInDetails?.loginId).toBe(email);

    const session = await fetchAuthSession();
    const idToken = session.tokens?.idToken?.toString();
    expect(idToken).toBeDefined();

    const jwks = await served.pool.jwks();
    const verifier = JwtVerifier.create(
      {
        issuer: served.pool.issuer,
        audience: served.pool.clientId,
        jwksUri: `${served.pool.issuer}/.well-known/jwks.json`,
      },
      {
        jwksCache: new SimpleJwksCache({
          fetcher: {
            // aws-jwt-verify refuses http:// JWKS in Node; fetch it over our own HTTP endpoint instead.
            fetch: async (uri: string) => (await fetch(uri)).arrayBuffer(),
          },
        }),
      },
    );
    const claims = await verifier.verify(idToken ?? '');
    expect(claims.email).toBe(email.toLowerCase());
    expect(claims.token_use).toBe('id');
    expect(claims['cognito:username']).toBe(user.userId);
    expect(claims.sub).toBe(user.userId);

    // Access tokens have no aud: check them the way CognitoJwtVerifier does, with the library's own field rules.
    const accessVerifier = JwtVerifier.create({
      issuer: served.pool.issuer,
      audience: null,
      jwksUri: `${served.pool.issuer}/.well-known/jwks.json`,
      customJwtCheck: ({ payload }) =>
        validateCognitoJwtFields(payload, { tokenUse: 'access', clientId: served.pool.clientId }),
    });
    accessVerifier.cacheJwks(jwks);
    const access = await accessVerifier.verify(session.tokens?.accessToken.toString() ?? '');
    expect(access).toMatchObject({ client_id: served.pool.clientId, username: user.userId, token_use: 'access' });
    expect((await fetch(`${served.pool.issuer}/.well-known/jwks.json`).then((r) => r.json())) as unknown).toEqual(jwks);

    const attributes = await fetchUserAttributes();
    expect(attributes).toMatchObject({ email: email.toLowerCase(), email_verified: 'true', sub: user.userId });
  });

  it('refreshes with GetTokensFromRefreshToken, then global sign-out stops refreshes', async () => {
    const before = await fetchAuthSession();
    const oldAccess = before.tokens?.accessToken.toString() ?? '';
    calls.length = 0;
    const refreshed = await fetchAuthSession({ forceRefresh: true });
    expect(calls).toEqual(['GetTokensFromRefreshToken']);
    expect(refreshed.tokens?.accessToken.toString()).not.toBe(oldAccess);
    expect(refreshed.tokens?.accessToken.payload.origin_jti).toBe(before.tokens?.accessToken.payload.origin_jti);

    // Keep the refresh token Amplify holds, to try it after signing out.
    const refreshToken = await refreshTokenFromStore();
    calls.length = 0;
    await signOut({ global: true });
    expect(calls).toEqual(['GlobalSignOut']);

    const replay = await served.pool.handle({
      target: 'GetTokensFromRefreshToken',
      body: { ClientId: served.pool.clientId, RefreshToken: refreshToken },
    });
    expect(replay.body).toMatchObject({ __type: 'NotAuthorizedException', message: 'Refresh Token has been revoked' });
    const getUser = await served.pool.handle({ target: 'GetUser', body: { AccessToken: oldAccess } });
    expect(getUser.body).toMatchObject({ __type: 'NotAuthorizedException', message: 'Access Token has been revoked' });
  });

  it('plain sign-out revokes the refresh token (RevokeToken)', async () => {
    await signIn({ username: email, password });
    const refreshToken = await refreshTokenFromStore();
    calls.length = 0;
    await signOut();
    expect(calls).toEqual(['RevokeToken']);
    const replay = await served.pool.handle({
      target: 'GetTokensFromRefreshToken',
      body: { ClientId: served.pool.clientId, RefreshToken: refreshToken },
    });
    expect(replay.body).toMatchObject({ __type: 'NotAuthorizedException' });
  });

  it('rejects a wrong password with NotAuthorizedException', async () => {
    expect(await errorName(signIn({ username: email, password: `${password}x` }))).toBe('NotAuthorizedException');
    expect(await errorName(signIn({ username: randomEmail(), password }))).toBe('NotAuthorizedException');
  });

  it('reports an unconfirmed user as the CONFIRM_SIGN_UP step', async () => {
    const pending = randomEmail();
    const pendingPassword = randomPassword();
    await signUp({ username: pending, password: pendingPassword, options: { userAttributes: { email: pending } } });
    const result = await signIn({ username: pending, password: pendingPassword });
    expect(result.nextStep.signInStep).toBe('CONFIRM_SIGN_UP');
  });

  it('resets a forgotten password', async () => {
    calls.length = 0;
    const reset = await resetPassword({ username: email });
    expect(reset.nextStep.resetPasswordStep).toBe('CONFIRM_RESET_PASSWORD_WITH_CODE');
    const code = (await served.pool.lastCode(email)) ?? '';
    password = randomPassword();
    await confirmResetPassword({ username: email, confirmationCode: code, newPassword: password });
    expect(calls).toEqual(['ForgotPassword', 'ConfirmForgotPassword']);
    expect((await signIn({ username: email, password })).isSignedIn).toBe(true);
  });

  it('changes the password of the signed-in user', async () => {
    const next = randomPassword();
    calls.length = 0;
    await updatePassword({ oldPassword: password, newPassword: next });
    expect(calls).toEqual(['ChangePassword']);
    expect(await errorName(updatePassword({ oldPassword: 'Wrong1!pass', newPassword: next }))).toBe(
      'NotAuthorizedException',
    );
    password = next;
    await signOut();
    expect((await signIn({ username: email, password })).isSignedIn).toBe(true);
  });

  it('changes the email after verifying the new address', async () => {
    const newEmail = randomEmail();
    const output = await updateUserAttributes({ userAttributes: { email: newEmail, name: 'Alice' } });
    expect(output.email?.nextStep.updateAttributeStep).toBe('CONFIRM_ATTRIBUTE_WITH_CODE');
    expect(output.name?.isUpdated).toBe(true);
    const code = (await served.pool.lastCode(newEmail)) ?? '';
    await confirmUserAttribute({ userAttributeKey: 'email', confirmationCode: code });
    expect(await fetchUserAttributes()).toMatchObject({ email: newEmail.toLowerCase(), name: 'Alice' });
    await signOut();
    expect((await signIn({ username: newEmail, password })).isSignedIn).toBe(true);
    await signOut();
    expect(await errorName(signIn({ username: email, password }))).toBe('NotAuthorizedException');
  });

  it('runs the Authenticator’s sign-up path: resend code, confirm, auto sign-in, fetch attributes', async () => {
    await signOut();
    const fresh = randomEmail();
    const freshPassword = randomPassword();
    calls.length = 0;
    // What the Authenticator passes (autoSignIn defaults to true there).
    const result = await signUp({
      username: fresh,
      password: freshPassword,
      options: { userAttributes: { email: fresh }, autoSignIn: true },
    });
    expect(result.nextStep.signUpStep).toBe('CONFIRM_SIGN_UP');
    const resent = await resendSignUpCode({ username: fresh });
    expect(resent.destination).toBe('u***@e***');
    const code = (await served.pool.lastCode(fresh)) ?? '';
    const confirmed = await confirmSignUp({ username: fresh, confirmationCode: code });
    expect(confirmed.nextStep.signUpStep).toBe('COMPLETE_AUTO_SIGN_IN');
    expect((await autoSignIn()).isSignedIn).toBe(true);
    const attributes = await fetchUserAttributes();
    expect(attributes.email_verified).toBe('true');
    expect((await getCurrentUser()).signInDetails?.loginId).toBe(fresh);
    expect(calls).toEqual([
      'SignUp',
      'ResendConfirmationCode',
      'ConfirmSignUp',
      'InitiateAuth',
      'RespondToAuthChallenge',
      'GetUser',
    ]);
    await signOut();
  });

  it('completes 12 fresh SRP sign-ins with random passwords', async () => {
    for (let i = 0; i < 12; i += 1) {
      const freshEmail = randomEmail();
      const freshPassword = randomPassword();
      await signUpConfirmed(freshEmail, freshPassword);
      const result = await signIn({ username: freshEmail, password: freshPassword });
      expect(result.isSignedIn, `sign-in ${i}`).toBe(true);
      await signOut();
    }
  }, 60_000);
});

/** Amplify in Node keeps tokens in memory; read the refresh token the way its token store exposes it. */
async function refreshTokenFromStore(): Promise<string> {
  const { cognitoUserPoolsTokenProvider } = await import('aws-amplify/auth/cognito');
  const tokens = await cognitoUserPoolsTokenProvider.authTokenStore.loadTokens();
  const token = tokens?.refreshToken;
  if (!token) throw new Error('no refresh token in the Amplify token store');
  return token;
}
