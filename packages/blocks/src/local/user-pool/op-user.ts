import { checkCode, issueCode, targetDetails, type CodeTarget } from './codes.js';
import type { PoolContext } from './context.js';
import { CognitoError, invalidParameter, Messages } from './errors.js';
import { optionalAttributeList, requireString, requireStringList } from './input.js';
import { mfaFields } from './op-mfa.js';
import type { Operation } from './operation.js';
import { authenticate } from './sessions.js';
import { updateUser } from './user-lock.js';
import { attributeList, splitAttributes } from './users.js';

function accessToken(body: Parameters<Operation>[1]): string {
  return requireString(body, 'AccessToken', 16_384);
}

type VerifiableAttribute = 'email' | 'phone_number';

function verifiableAttribute(name: string): VerifiableAttribute {
  if (name !== 'email' && name !== 'phone_number') {
    throw invalidParameter(`Verification of attribute ${name} is not supported by the local user pool`);
  }
  return name;
}

async function assertEmailFree(ctx: PoolContext, email: string, sub: string): Promise<void> {
  const owner = await ctx.store.findUser(email);
  if (owner && owner.sub !== sub) throw new CognitoError('AliasExistsException', Messages.userExists);
}

async function assertPhoneFree(ctx: PoolContext, phone: string, sub: string): Promise<void> {
  const owner = ctx.store.phoneSignIn ? await ctx.store.findUser(phone) : undefined;
  if (owner && owner.sub !== sub) {
    throw new CognitoError('AliasExistsException', 'An account with the given phone_number already exists.');
  }
}

export const getUser: Operation = async (ctx, body) => {
  const user = await authenticate(ctx, accessToken(body));
  return { Username: user.username ?? user.sub, UserAttributes: attributeList(user), ...mfaFields(user) };
};

/**
 * Profile attributes change at once. A new email waits for its code, keeping
 * the old address for sign-in meanwhile (Amplify sets `keepOriginal` for
 * email), which is why the response lists where the code went. A new phone
 * number does the same where it is a sign-in name; elsewhere it changes at
 * once, unverified, with a code by SMS when the pool verifies phone numbers.
 */
export const updateUserAttributes: Operation = async (ctx, body) => {
  const user = await authenticate(ctx, accessToken(body));
  const list = optionalAttributeList(body, 'UserAttributes');
  if (!list) throw invalidParameter('Missing required parameter UserAttributes');
  const { email, phone, others } = splitAttributes(list, ctx.settings.customAttributes);
  const changesEmail = email !== undefined && email !== user.email;
  const changesPhone = phone !== undefined && phone !== user.phoneNumber;
  if (changesEmail) await assertEmailFree(ctx, email, user.sub);
  if (changesPhone) await assertPhoneFree(ctx, phone, user.sub);
  const phoneWaits = ctx.store.phoneSignIn || ctx.settings.autoVerifiedAttributes.includes('phone_number');
  const sent = await updateUser(ctx, user.sub, (current) => {
    Object.assign(current.attributes, others);
    const codes: { target: CodeTarget; code: string; kind: 'verifyEmail' | 'verifyPhone' }[] = [];
    if (changesEmail) {
      current.pendingEmail = email;
      codes.push({ target: { medium: 'EMAIL', to: email }, code: issueCode(ctx, current, 'verifyEmail', email), kind: 'verifyEmail' });
    }
    if (changesPhone) {
      if (ctx.store.phoneSignIn) {
        current.pendingPhone = phone;
      } else {
        current.phoneNumber = phone;
        current.phoneVerified = false;
      }
      if (phoneWaits) {
        codes.push({ target: { medium: 'SMS', to: phone }, code: issueCode(ctx, current, 'verifyPhone', phone), kind: 'verifyPhone' });
      }
    }
    return codes;
  });
  // A number changed at once (not a sign-in name here) keeps the phone index in step (store.addUser).
  if (changesPhone && !ctx.store.phoneSignIn) {
    await ctx.locks.run(`phone:${phone}`, () => ctx.store.linkPhone(phone, user.sub));
    if (user.phoneNumber) await ctx.store.unlinkPhone(user.phoneNumber, user.sub);
  }
  for (const { target, code, kind } of sent) ctx.deliverCode({ username: target.to, medium: target.medium, code, kind });
  return { CodeDeliveryDetailsList: sent.map(({ target }) => targetDetails(target)) };
};

export const getUserAttributeVerificationCode: Operation = async (ctx, body) => {
  const user = await authenticate(ctx, accessToken(body));
  const attribute = verifiableAttribute(requireString(body, 'AttributeName', 32));
  const { target, code } = await updateUser(ctx, user.sub, (current) => {
    const to: CodeTarget | undefined =
      attribute === 'email'
        ? { medium: 'EMAIL', to: current.pendingEmail ?? current.email }
        : (current.pendingPhone ?? current.phoneNumber) !== undefined
          ? { medium: 'SMS', to: current.pendingPhone ?? current.phoneNumber ?? '' }
          : undefined;
    if (!to || !to.to) throw invalidParameter(`User does not have a ${attribute} to verify`);
    return { target: to, code: issueCode(ctx, current, attribute === 'email' ? 'verifyEmail' : 'verifyPhone', to.to) };
  });
  ctx.deliverCode({ username: target.to, medium: target.medium, code, kind: attribute === 'email' ? 'verifyEmail' : 'verifyPhone' });
  return { CodeDeliveryDetails: targetDetails(target) };
};

export const verifyUserAttribute: Operation = async (ctx, body) => {
  const user = await authenticate(ctx, accessToken(body));
  const attribute = verifiableAttribute(requireString(body, 'AttributeName', 32));
  const code = requireString(body, 'Code', 2048);
  if (attribute === 'phone_number') return verifyPhone(ctx, user.sub, code);
  const previousEmail = await updateUser(ctx, user.sub, async (current) => {
    const result = checkCode(ctx, current, 'verifyEmail', code);
    if (!result.ok) throw result.error;
    const previous = current.email;
    const next = current.pendingEmail;
    if (next !== undefined && next !== previous) {
      await ctx.locks.run(`email:${next}`, async () => {
        await assertEmailFree(ctx, next, current.sub);
        await ctx.store.linkEmail(next, current.sub);
      });
      current.email = next;
    }
    delete current.pendingEmail;
    current.emailVerified = true;
    return previous;
  });
  const updated = await ctx.store.readUser(user.sub);
  // The old alias goes only once the record no longer claims it.
  if (updated && previousEmail && updated.email !== previousEmail) await ctx.store.unlinkEmail(previousEmail, user.sub);
  return {};
};

/** VerifyUserAttribute for phone_number: the SMS code proves the (new) number. */
async function verifyPhone(ctx: PoolContext, sub: string, code: string): Promise<Record<string, never>> {
  const previousPhone = await updateUser(ctx, sub, async (current) => {
    const result = checkCode(ctx, current, 'verifyPhone', code);
    if (!result.ok) throw result.error;
    const previous = current.phoneNumber;
    const next = current.pendingPhone;
    if (next !== undefined && next !== previous) {
      await ctx.locks.run(`phone:${next}`, async () => {
        await assertPhoneFree(ctx, next, current.sub);
        await ctx.store.linkPhone(next, current.sub);
      });
      current.phoneNumber = next;
    }
    delete current.pendingPhone;
    current.phoneVerified = true;
    return previous;
  });
  const updated = await ctx.store.readUser(sub);
  if (updated && previousPhone && updated.phoneNumber !== previousPhone) await ctx.store.unlinkPhone(previousPhone, sub);
  return {};
}

export const deleteUserAttributes: Operation = async (ctx, body) => {
  const user = await authenticate(ctx, accessToken(body));
  const names = requireStringList(body, 'UserAttributeNames');
  if (names.includes('email')) throw invalidParameter('Cannot delete required attribute email');
  const dropsPhone = names.includes('phone_number');
  if (dropsPhone && (ctx.store.phoneSignIn || ctx.settings.requiredAttributes.includes('phone_number'))) {
    throw invalidParameter('Cannot delete required attribute phone_number');
  }
  await updateUser(ctx, user.sub, (current) => {
    for (const name of names) delete current.attributes[name];
    if (dropsPhone) {
      delete current.phoneNumber;
      delete current.phoneVerified;
      delete current.pendingPhone;
    }
  });
  return {};
};

export const deleteUser: Operation = async (ctx, body) => {
  const user = await authenticate(ctx, accessToken(body));
  await ctx.locks.run(`user:${user.sub}`, async () => {
    const current = await ctx.store.readUser(user.sub);
    if (current) await ctx.store.deleteUser(current);
  });
  return {};
};
