import { fetchAuthSession, signOut } from 'aws-amplify/auth';
import { createBlocksClient, type Middleware } from 'blocks-kit/client';
// Type-only: the client is typed from the Blocks code, and none of it is bundled.
import type * as App from '../aws-blocks/index';
import { outputs } from './amplify';

/** Sends the signed-in user's Cognito ID token; the Blocks side checks it with CognitoVerifier. */
const attachIdToken: Middleware = async (request, next) => {
  const { tokens } = await fetchAuthSession();
  const idToken = tokens?.idToken?.toString();
  if (idToken) request.headers.set('authorization', `Bearer ${idToken}`);
  return next(request);
};

/**
 * A 401 means this sign-in is over (expired, revoked, or the user was deleted
 * or disabled): sign out, so the Authenticator asks to sign in again rather
 * than every call failing. The call itself still fails as it did.
 */
const signOutWhenUnauthorized: Middleware = async (request, next) => {
  const response = await next(request);
  if (response.status === 401) await signOut().catch(() => undefined);
  return response;
};

export const blocks = createBlocksClient<typeof App>({ outputs, middleware: [signOutWhenUnauthorized, attachIdToken] });

export type { Attachment, Note, NoteExport } from '../aws-blocks/index';
