import { checkCode, deliveryDetails, issueCode } from './codes.js';
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

function assertEmailAttribute(name: string): void {
  if (name !== 'email')
    throw invalidParameter(`Verification of attribute ${name} is not supported by the local user pool`);
}

async function assertEmailFree(ctx: PoolContext, email: string, sub: string): Promise<void> {
  const owner = await ctx.store.findUser(email);
  if (owner && owner.sub !== sub) throw new CognitoError('AliasExistsException', Messages.userExists);
}

export const getUser: Operation = async (ctx, body) => {
  const user = await authenticate(ctx, accessToken(body));
  return { Username: user.sub, UserAttributes: attributeList(user), ...mfaFields(user) };
};

/**
 * Profile attributes change at once. A new email waits for its code, keeping
 * the old address for sign-in meanwhile (Amplify sets `keepOriginal` for
 * email), which is why the response lists where the code went.
 */
export const updateUserAttributes: Operation = async (ctx, body) => {
  const user = await authenticate(ctx, accessToken(body));
  const list = optionalAttributeList(body, 'UserAttributes');
  if (!list) throw invalidParameter('Missing required parameter UserAttributes');
  const { email, others } = splitAttributes(list, ctx.settings.customAttributes);
  const changesEmail = email !== undefined && email !== user.email;
  if (changesEmail) await assertEmailFree(ctx, email, user.sub);
  const code = await updateUser(ctx, user.sub, (current) => {
    Object.assign(current.attributes, others);
    if (!changesEmail) return undefined;
    current.pendingEmail = email;
    return issueCode(ctx, current, 'verifyEmail', email);
  });
  if (!changesEmail || code === undefined) return { CodeDeliveryDetailsList: [] };
  ctx.deliverCode({ username: email, medium: 'EMAIL', code, kind: 'verifyEmail' });
  return { CodeDeliveryDetailsList: [deliveryDetails(email)] };
};

export const getUserAttributeVerificationCode: Operation = async (ctx, body) => {
  const user = await authenticate(ctx, accessToken(body));
  assertEmailAttribute(requireString(body, 'AttributeName', 32));
  const { destination, code } = await updateUser(ctx, user.sub, (current) => {
    const target = current.pendingEmail ?? current.email;
    return { destination: target, code: issueCode(ctx, current, 'verifyEmail', target) };
  });
  ctx.deliverCode({ username: destination, medium: 'EMAIL', code, kind: 'verifyEmail' });
  return { CodeDeliveryDetails: deliveryDetails(destination) };
};

export const verifyUserAttribute: Operation = async (ctx, body) => {
  const user = await authenticate(ctx, accessToken(body));
  assertEmailAttribute(requireString(body, 'AttributeName', 32));
  const code = requireString(body, 'Code', 2048);
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
  if (updated && updated.email !== previousEmail) await ctx.store.unlinkEmail(previousEmail, user.sub);
  return {};
};

export const deleteUserAttributes: Operation = async (ctx, body) => {
  const user = await authenticate(ctx, accessToken(body));
  const names = requireStringList(body, 'UserAttributeNames');
  if (names.includes('email')) throw invalidParameter('Cannot delete required attribute email');
  await updateUser(ctx, user.sub, (current) => {
    for (const name of names) delete current.attributes[name];
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
