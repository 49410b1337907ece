import { requireString } from './input.js';
import { assertClient, type Operation } from './operation.js';
import { authenticate, revokeRefreshToken } from './sessions.js';
import { updateUser } from './user-lock.js';

/** Ends every session of the user: refresh tokens and access tokens already issued stop working. */
export const globalSignOut: Operation = async (ctx, body) => {
  const user = await authenticate(ctx, requireString(body, 'AccessToken', 16_384));
  await updateUser(ctx, user.sub, (current) => {
    current.sessionEpoch += 1;
  });
  return {};
};

/** Ends the one session a refresh token belongs to (Amplify's plain `signOut()`). */
export const revokeToken: Operation = async (ctx, body) => {
  assertClient(ctx, body);
  await revokeRefreshToken(ctx, requireString(body, 'Token', 4096));
  return {};
};
