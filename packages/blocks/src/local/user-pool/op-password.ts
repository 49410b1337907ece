import { checkCode, deliveryDetails, issueCode } from './codes.js';
import { CognitoError, incorrectCredentials, invalidParameter, Messages } from './errors.js';
import { requireString } from './input.js';
import { assertClient, type Operation } from './operation.js';
import { assertPasswordAllowed } from './password-policy.js';
import { authenticate } from './sessions.js';
import { attemptLimitError, recordPasswordFailure, recordPasswordSuccess } from './throttle.js';
import { updateUser } from './user-lock.js';
import { passwordMatches, setPassword } from './users.js';

export const forgotPassword: Operation = async (ctx, body) => {
  assertClient(ctx, body);
  const username = requireString(body, 'Username', 128);
  const found = await ctx.store.findUser(username);
  // Unknown users get a plausible answer and no code (PreventUserExistenceErrors).
  if (!found) return { CodeDeliveryDetails: deliveryDetails(username) };
  const { email, code } = await updateUser(ctx, found.sub, (user) => {
    if (!user.emailVerified) {
      throw invalidParameter(
        'Cannot reset password for the user as there is no registered/verified email or phone_number',
      );
    }
    return { email: user.email, code: issueCode(ctx, user, 'forgotPassword', user.email) };
  });
  ctx.deliverCode({ username: email, code, kind: 'forgotPassword' });
  return { CodeDeliveryDetails: deliveryDetails(email) };
};

export const confirmForgotPassword: Operation = async (ctx, body) => {
  assertClient(ctx, body);
  const username = requireString(body, 'Username', 128);
  const code = requireString(body, 'ConfirmationCode', 2048);
  const password = requireString(body, 'Password', 256);
  // Policy first, as Cognito does, so a weak password does not burn the code.
  assertPasswordAllowed(password, ctx.passwordPolicy);
  const found = await ctx.store.findUser(username);
  if (!found) throw new CognitoError('CodeMismatchException', Messages.codeMismatch);
  await updateUser(ctx, found.sub, (user) => {
    const result = checkCode(ctx, user, 'forgotPassword', code);
    if (!result.ok) throw result.error;
    setPassword(ctx, user, password);
    // Proving control of the mailbox clears a password lockout.
    recordPasswordSuccess(user.failures);
  });
  return {};
};

export const changePassword: Operation = async (ctx, body) => {
  const accessToken = requireString(body, 'AccessToken', 16_384);
  const previous = requireString(body, 'PreviousPassword', 256);
  const proposed = requireString(body, 'ProposedPassword', 256);
  const user = await authenticate(ctx, accessToken);
  assertPasswordAllowed(proposed, ctx.passwordPolicy);
  await updateUser(ctx, user.sub, (current) => {
    if (current.failures.passwordLockedUntil > ctx.now()) throw attemptLimitError();
    if (!passwordMatches(ctx, current, previous)) {
      recordPasswordFailure(current.failures, ctx.now());
      throw incorrectCredentials();
    }
    recordPasswordSuccess(current.failures);
    setPassword(ctx, current, proposed);
  });
  return {};
};
