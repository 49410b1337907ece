import { randomBytes } from 'node:crypto';
import { confirmSignUp, fetchUserAttributes, getCurrentUser, signIn, signOut, signUp } from 'aws-amplify/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POOL_SETTINGS } from './settings.js';
import { pointAmplifyAt } from './testing/amplify-client.js';
import { servePool, tempDataDir, type ServedPool } from './testing/harness.js';

/**
 * The unmodified aws-amplify v6 client in a pool that signs in by username
 * (no username attributes, as a user-pool override of defineAuth makes it):
 * the chosen name is the Cognito username and signs in in any case.
 */

let served: ServedPool;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const temp = await tempDataDir();
  cleanup = temp.cleanup;
  served = await servePool(temp.dir, { settings: { ...DEFAULT_POOL_SETTINGS, usernameAttributes: [] } });
  pointAmplifyAt(served, { username: true });
});

afterAll(async () => {
  await served.pool.outbox();
  await served.close();
  await cleanup();
});

describe('sign-in by username', () => {
  it('signs up with a username, confirms with the emailed code and signs in with the name in another case', async () => {
    const name = `Grace${randomBytes(3).toString('hex')}`;
    const email = `${name.toLowerCase()}@example.com`;
    const started = await signUp({ username: name, password: 'Correct-horse-1', options: { userAttributes: { email } } });
    expect(started.nextStep).toMatchObject({ signUpStep: 'CONFIRM_SIGN_UP', codeDeliveryDetails: { deliveryMedium: 'EMAIL' } });
    const [message] = await served.pool.outbox({ to: email });
    expect((await confirmSignUp({ username: name, confirmationCode: message?.code ?? '' })).isSignUpComplete).toBe(true);
    expect((await signIn({ username: name.toLowerCase(), password: 'Correct-horse-1' })).isSignedIn).toBe(true);
    const current = await getCurrentUser();
    expect(current.username).toBe(name);
    expect(current.signInDetails?.loginId).toBe(name.toLowerCase());
    expect(await fetchUserAttributes()).toMatchObject({ email, email_verified: 'true' });
    await signOut();
  });
});
