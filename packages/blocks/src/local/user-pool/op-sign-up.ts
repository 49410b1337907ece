import { randomBytes } from 'node:crypto';
import { addUserWithAliases } from './aliases.js';
import { checkCode, issueCode, signUpTarget, targetDetails } from './codes.js';
import { signUpSession } from './passwordless.js';
import { CognitoError, invalidParameter, Messages } from './errors.js';
import { optionalAttributeList, requireString } from './input.js';
import { assertClient, type Operation } from './operation.js';
import { assertRequiredAttributes, createUserRecord, parseSignInName, splitAttributes } from './users.js';
import { updateUser } from './user-lock.js';

/** Meets any policy Cognito allows (length up to 99, every character class). */
function unguessablePassword(): string {
  return `Aa1!${randomBytes(96).toString('base64url')}`;
}

export const signUp: Operation = async (ctx, body) => {
  assertClient(ctx, body);
  const name = parseSignInName(ctx.settings, requireString(body, 'Username', 128));
  // Cognito allows no password where a passwordless first factor is on; the
  // verifier then comes from a random password nobody knows.
  const passwordless = ctx.settings.passwordlessEmail || ctx.settings.passwordlessSms;
  const password =
    passwordless && (body.Password === undefined || body.Password === null)
      ? unguessablePassword()
      : requireString(body, 'Password', 256);
  const attributes = splitAttributes(optionalAttributeList(body, 'UserAttributes') ?? [], ctx.settings.customAttributes);
  if ('email' in name && attributes.email !== undefined && attributes.email !== name.email) {
    throw invalidParameter('Email attribute must match the username in a pool that signs in with email.');
  }
  if ('phone' in name && attributes.phone !== undefined && attributes.phone !== name.phone) {
    throw invalidParameter('Phone number attribute must match the username in a pool that signs in with phone number.');
  }
  const email = 'email' in name ? name.email : attributes.email;
  const phoneNumber = 'phone' in name ? name.phone : attributes.phone;
  assertRequiredAttributes(ctx.settings.requiredAttributes, {
    ...attributes.others,
    ...(email !== undefined && { email }),
    ...(phoneNumber !== undefined && { phone_number: phoneNumber }),
  });
  const username = 'username' in name ? name.username : undefined;
  const user = createUserRecord(ctx, { username, email, phoneNumber, password, confirmed: false, attributes: attributes.others });
  const target = signUpTarget(ctx, user);
  // A username with neither email nor phone number has nowhere to get a code: it stays unconfirmed, as in Cognito.
  const code = await addUserWithAliases(ctx, user, () => (target ? issueCode(ctx, user, 'signUp', target.to) : undefined));
  if (!target || code === undefined) return { UserConfirmed: false, UserSub: user.sub };
  ctx.deliverCode({ username: target.to, medium: target.medium, code, kind: 'signUp' });
  return { UserConfirmed: false, UserSub: user.sub, CodeDeliveryDetails: targetDetails(target) };
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
    const sentTo = user.codes.signUp?.destination;
    const result = checkCode(ctx, user, 'signUp', code);
    if (!result.ok) throw result.error;
    user.confirmed = true;
    // The code proved the channel it went to.
    if (user.phoneNumber !== undefined && sentTo === user.phoneNumber) user.phoneVerified = true;
    else user.emailVerified = true;
    return user;
  });
  return signUpSession(ctx, confirmed.sub, username);
};

export const resendConfirmationCode: Operation = async (ctx, body) => {
  assertClient(ctx, body);
  const username = requireString(body, 'Username', 128);
  const found = await ctx.store.findUser(username);
  if (!found) return { CodeDeliveryDetails: targetDetails(username.startsWith('+') ? { medium: 'SMS', to: username } : { medium: 'EMAIL', to: username }) };
  const { target, code } = await updateUser(ctx, found.sub, (user) => {
    if (user.confirmed) throw invalidParameter('User is already confirmed.');
    const to = signUpTarget(ctx, user);
    if (!to) throw invalidParameter('User has no email or phone number to send a code to.');
    return { target: to, code: issueCode(ctx, user, 'signUp', to.to) };
  });
  ctx.deliverCode({ username: target.to, medium: target.medium, code, kind: 'signUp' });
  return { CodeDeliveryDetails: targetDetails(target) };
};
