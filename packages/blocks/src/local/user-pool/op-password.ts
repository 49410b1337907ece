import { checkCode, issueCode, targetDetails, type CodeTarget } from './codes.js';
import type { PoolContext } from './context.js';
import { findDecoy, updateDecoy } from './decoy.js';
import { CognitoError, incorrectCredentials, invalidParameter, Messages } from './errors.js';
import { requireString } from './input.js';
import { assertClient, type Operation } from './operation.js';
import { assertPasswordAllowed } from './password-policy.js';
import type { FailureCounters } from './records.js';
import { authenticate } from './sessions.js';
import { normaliseEmail } from './store.js';
import {
  assertCodeNotLocked,
  attemptLimitError,
  recordCodeFailure,
  recordCodeSend,
  recordPasswordFailure,
  recordPasswordSuccess,
} from './throttle.js';
import { updateUser } from './user-lock.js';
import { passwordMatches, setPassword } from './users.js';

export const forgotPassword: Operation = async (ctx, body) => {
  assertClient(ctx, body);
  const username = requireString(body, 'Username', 128);
  const found = await ctx.store.findUser(username);
  if (!found) {
    // A plausible answer and no code (PreventUserExistenceErrors), after the
    // same counting and disk write as a real send, so the send limit and the
    // time give nothing away either.
    const { decoy } = await findDecoy(ctx, username);
    await updateDecoy(ctx, decoy, (failures) => recordCodeSend(failures, ctx.now()));
    const decoyTarget: CodeTarget = username.startsWith('+') ? { medium: 'SMS', to: username } : { medium: 'EMAIL', to: normaliseEmail(username) };
    return { CodeDeliveryDetails: targetDetails(decoyTarget) };
  }
  const { target, code } = await updateUser(ctx, found.sub, (user) => {
    // The verified email first, else the verified phone number (a pool that signs in by phone).
    const to: CodeTarget | undefined =
      user.emailVerified && user.email
        ? { medium: 'EMAIL', to: user.email }
        : user.phoneVerified && user.phoneNumber
          ? { medium: 'SMS', to: user.phoneNumber }
          : undefined;
    if (!to) {
      throw invalidParameter(
        'Cannot reset password for the user as there is no registered/verified email or phone_number',
      );
    }
    return { target: to, code: issueCode(ctx, user, 'forgotPassword', to.to) };
  });
  ctx.deliverCode({ username: target.to, medium: target.medium, code, kind: 'forgotPassword' });
  return { CodeDeliveryDetails: targetDetails(target) };
};

export const confirmForgotPassword: Operation = async (ctx, body) => {
  assertClient(ctx, body);
  const username = requireString(body, 'Username', 128);
  const code = requireString(body, 'ConfirmationCode', 2048);
  const password = requireString(body, 'Password', 256);
  // Policy first, as Cognito does, so a weak password does not burn the code.
  assertPasswordAllowed(password, ctx.passwordPolicy);
  const found = await ctx.store.findUser(username);
  if (!found) {
    const { decoy } = await findDecoy(ctx, username);
    return updateDecoy(ctx, decoy, (failures) => wrongCode(ctx, failures));
  }
  await updateUser(ctx, found.sub, (user) => {
    // No reset pending looks like a wrong code, as it must for a name with no account.
    if (!user.codes.forgotPassword) wrongCode(ctx, user.failures);
    const result = checkCode(ctx, user, 'forgotPassword', code);
    if (!result.ok) throw result.error;
    setPassword(ctx, user, password);
    // Proving control of the mailbox clears a password lockout.
    recordPasswordSuccess(user.failures);
  });
  return {};
};

/** A reset code that cannot match: counted, and locked after as many as a user's wrong codes. */
function wrongCode(ctx: PoolContext, failures: FailureCounters): never {
  assertCodeNotLocked(failures, ctx.now());
  recordCodeFailure(failures, ctx.now());
  throw new CognitoError('CodeMismatchException', Messages.codeMismatch);
}

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
