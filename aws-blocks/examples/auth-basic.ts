/**
 * AuthBasic example: username/password sign-in with a session cookie, no
 * Cognito. A separate app module from the notes app (which keeps Amplify
 * Auth); serve it on its own with
 *
 *   npm run blocks:dev -- --entry aws-blocks/examples/auth-basic.ts
 *
 * and see README.md, "AuthBasic or Cognito?", for when to choose it.
 */
import { ApiNamespace, AuthBasic, Scope } from 'blocks-kit';

const scope = new Scope('auth-basic-example');

const auth = new AuthBasic(scope, 'auth', {
  sessionDuration: 86_400, // 24 hours
  passwordPolicy: { minLength: 8, requireDigits: true },
  // New users stay unconfirmed until they enter this code; it also enables password reset.
  codeDelivery: async (username, code) => {
    // Send it by email (e.g. with SES) in a real app. Printing codes is for local use only.
    console.info(`[auth-basic example] code for ${username}: ${code}`);
  },
});

export const api = new ApiNamespace(scope, 'api', (context) => ({
  async getProfile() {
    const user = await auth.requireAuth(context); // 401 SessionExpiredException without a session
    return { username: user.username, createdAt: user.createdAt };
  },
}));

/** `authApi.setAuthState({ action: 'signIn', username, password })`, `authApi.getAuthState()`. */
export const authApi = auth.createApi();
