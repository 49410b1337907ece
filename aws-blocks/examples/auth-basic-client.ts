/**
 * The frontend half of the AuthBasic example: typed from the example module
 * (a type-only import, so no server code is bundled), with the session in an
 * HttpOnly cookie the browser sends by itself — no token middleware.
 */
import { createBlocksClient, isApiError } from 'blocks-kit/client';
import type * as AuthExample from './auth-basic';

export function createAuthExampleClient(url: string, fetchImpl?: typeof fetch) {
  return createBlocksClient<typeof AuthExample>({
    url,
    // Needed when the API is on another origin than the page; harmless on the same one.
    credentials: 'include',
    ...(fetchImpl && { fetch: fetchImpl }),
  });
}

export type AuthExampleClient = ReturnType<typeof createAuthExampleClient>;

/** Sign-up as a form would drive it: register, then confirm with the code the user received. */
export async function signUp(client: AuthExampleClient, username: string, password: string, askForCode: () => Promise<string>) {
  const state = await client.authApi.setAuthState({ action: 'signUp', username, password });
  if (!state.signedIn && state.nextStep === 'confirmSignUp') {
    const code = await askForCode();
    // With the password, a successful confirmation signs in too.
    return client.authApi.setAuthState({ action: 'confirmSignUp', username, code, password });
  }
  return client.authApi.setAuthState({ action: 'signIn', username, password });
}

/** The profile of whoever is signed in on this browser, or null. */
export async function currentProfile(client: AuthExampleClient) {
  try {
    return await client.api.getProfile();
  } catch (error) {
    if (isApiError(error) && error.status === 401) return null; // SessionExpiredException
    throw error;
  }
}

/** A message for a failed sign-in that does not leak more than the server said. */
export function signInErrorMessage(error: unknown): string {
  if (!isApiError(error)) return 'Something went wrong; try again.';
  switch (error.name) {
    case 'TooManyAttemptsException':
      return error.message; // "Too many attempts; try again in 15 minutes"
    case 'UserNotConfirmedException':
      return 'Enter the code we sent you to finish signing up.';
    default:
      return 'Incorrect username or password.';
  }
}
