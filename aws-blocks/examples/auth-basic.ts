/**
 * AuthBasic example: email-address/password sign-in with a session cookie,
 * no Cognito, its codes sent by an EmailClient (locally: the outbox in
 * .blocks-data/email-outbox/ and a line in the terminal; deployed: Amazon
 * SES). A separate app module from the notes app (which keeps Amplify Auth);
 * try it in the browser with `npm run dev:auth-basic`, or serve the API
 * alone with
 *
 *   npm run blocks:dev -- --entry aws-blocks/examples/auth-basic.ts
 *
 * and see README.md, "AuthBasic or Cognito?", for when to choose it.
 */
import { ApiNamespace, AuthBasic, EmailClient, Scope, type CodePurpose } from 'blocks-kit';

const scope = new Scope('auth-basic-example');

// Deployed, SES must have this address (or example.com, with `identity: 'example.com'`) verified: see README.md, "Email".
const mail = new EmailClient(scope, 'mail', { from: { address: 'no-reply@example.com', name: 'AuthBasic example' } });

const CODE_EMAIL: Record<CodePurpose, { subject: string; intro: string }> = {
  confirmSignUp: { subject: 'Your sign-up code', intro: 'Enter this code to finish signing up' },
  forgotPassword: { subject: 'Your password reset code', intro: 'Enter this code to choose a new password' },
};

const auth = new AuthBasic(scope, 'auth', {
  sessionDuration: 86_400, // 24 hours
  passwordPolicy: { minLength: 8, requireDigits: true },
  // New users stay unconfirmed until they enter this code; it also enables password reset.
  // Usernames are email addresses: one that is not is refused by send() with a 400.
  codeDelivery: async (username, code, purpose) => {
    const { subject, intro } = CODE_EMAIL[purpose];
    await mail.send({
      to: username,
      subject,
      text: `${intro}: ${code}\n\nIt is valid for 10 minutes. If you did not ask for it, ignore this email.`,
    });
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
