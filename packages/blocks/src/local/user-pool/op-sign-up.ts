import { randomBytes } from 'node:crypto';
import { checkCode, deliveryDetails, issueCode } from './codes.js';
import { signUpSession } from './passwordless.js';
import { CognitoError, invalidParameter, Messages } from './errors.js';
import { optionalAttributeList, requireString } from './input.js';
import { assertClient, type Operation } from './operation.js';
import { assertEmailUsername, assertRequiredAttributes, createUserRecord, splitAttributes } from './users.js';
import { updateUser } from './user-lock.js';

/** Meets any policy Cognito allows (length up to 99, every character class). */
function unguessablePassword(): string {
  return `Aa1!${randomBytes(96).toString('base64url')}`;
}

export const signUp: Operation = async (ctx, body) => {
  assertClient(ctx, body);
  const email = assertEmailUsername(requireString(body, 'Username', 128));
  // Cognito allows no password where a passwordless first factor is on; the
  // verifier then comes from a random password nobody knows.
  const password =
    ctx.settings.passwordlessEmail && (body.Password === undefined || body.Password === null)
      ? unguessablePassword()
      : requireString(body, 'Password', 256);
  const attributes = splitAttributes(optionalAttributeList(body, 'UserAttributes') ?? [], ctx.settings.customAttributes);
  assertRequiredAttributes(
    ctx.settings.requiredAttributes.filter((name) => name !== 'email'),
    attributes.others,
  );
  if (attributes.email !== undefined && attributes.email !== email) {
    throw invalidParameter('Email attribute must match the username in a pool that signs in with email.');
  }
  const user = createUserRecord(ctx, { email, password, confirmed: false, attributes: attributes.others });
  const code = await ctx.locks.run(`email:${email}`, async () => {
    if (await ctx.store.findUser(email)) throw new CognitoError('UsernameExistsException', Messages.userExists);
    const issued = issueCode(ctx, user, 'signUp', email);
    await ctx.store.writeUser(user);
    await ctx.store.linkEmail(email, user.sub);
    return issued;
  });
  ctx.deliverCode({ username: email, medium: 'EMAIL', code, kind: 'signUp' });
  return { UserConfirmed: false, UserSub: user.sub, CodeDeliveryDetails: deliveryDetails(email) };
};

export const confirmSignUp: Operation = async (ctx, body) => {
  assertClient(ctx, body);
  const username = requireString(body, 'Username', 128);
  const code = requireString(body, 'ConfirmationCode', 2048);
  const found = await ctx.store.findUser(username);
  // With PreventUserExistenceErrors an unknown user looks like a wrong code.
  if (!found) throw new CognitoError('CodeMismatchException', Messages.codeMismatch);
  const confirmed = await updateUser(ctx, found.sub, (user) => {
    if (user.confirmed) {
      throw new CognitoError('NotAuthorizedException', 'User cannot be confirmed. Current status is CONFIRMED');
    }
    const result = checkCode(ctx, user, 'signUp', code);
    if (!result.ok) throw result.error;
    user.confirmed = true;
    user.emailVerified = true;
    return user;
  });
  return signUpSession(ctx, confirmed.sub, username);
};

export const resendConfirmationCode: Operation = async (ctx, body) => {
  assertClient(ctx, body);
  const username = requireString(body, 'Username', 128);
  const found = await ctx.store.findUser(username);
  if (!found) return { CodeDeliveryDetails: deliveryDetails(username) };
  const { email, code } = await updateUser(ctx, found.sub, (user) => {
    if (user.confirmed) throw invalidParameter('User is already confirmed.');
    return { email: user.email, code: issueCode(ctx, user, 'signUp', user.email) };
  });
  ctx.deliverCode({ username: email, medium: 'EMAIL', code, kind: 'signUp' });
  return { CodeDeliveryDetails: deliveryDetails(email) };
};
