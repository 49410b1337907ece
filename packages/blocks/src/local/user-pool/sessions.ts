import { randomUUID } from 'node:crypto';
import type { PoolContext } from './context.js';
import { CognitoError, Messages } from './errors.js';
import type { SessionRecord, UserRecord } from './records.js';
import {
  issueTokens,
  newRefreshToken,
  parseRefreshToken,
  refreshSecretMatches,
  verifyAccessToken,
  type AuthenticationResult,
  type IssueContext,
} from './tokens.js';

async function issueContext(ctx: PoolContext): Promise<IssueContext> {
  const { tokenValidity, groups } = ctx.settings;
  return {
    keys: await ctx.keys(),
    issuer: ctx.issuer,
    clientId: ctx.clientId,
    nowMs: ctx.now(),
    idSeconds: tokenValidity.idSeconds,
    accessSeconds: tokenValidity.accessSeconds,
    // Groups without a precedence come last, as in Cognito.
    groupOrder: [...groups]
      .sort((a, b) => (a.precedence ?? Number.MAX_SAFE_INTEGER) - (b.precedence ?? Number.MAX_SAFE_INTEGER))
      .map((group) => group.name),
  };
}

function isLive(session: SessionRecord, user: UserRecord): boolean {
  return session.revokedAt === undefined && session.epoch === user.sessionEpoch;
}

/** A successful sign-in: a new session with its refresh token, plus ID and access tokens. */
export async function startSession(ctx: PoolContext, user: UserRecord): Promise<AuthenticationResult> {
  // Every way of signing in ends here, so a disabled user gets no session whichever it took.
  if (user.disabled) throw new CognitoError('NotAuthorizedException', Messages.userDisabled);
  const issue = await issueContext(ctx);
  const originJti = randomUUID();
  const refresh = newRefreshToken(originJti);
  const session: SessionRecord = {
    version: 1,
    originJti,
    sub: user.sub,
    clientId: ctx.clientId,
    refreshTokenHash: refresh.hash,
    epoch: user.sessionEpoch,
    authTime: Math.floor(issue.nowMs / 1000),
    eventId: randomUUID(),
    createdAt: issue.nowMs,
    expiresAt: issue.nowMs + ctx.settings.tokenValidity.refreshSeconds * 1000,
  };
  await ctx.store.writeSession(session);
  return { ...issueTokens(issue, user, session), RefreshToken: refresh.token };
}

async function liveSessionForRefreshToken(
  ctx: PoolContext,
  token: string,
): Promise<{ session: SessionRecord; user: UserRecord }> {
  const parsed = parseRefreshToken(token);
  const invalid = () => new CognitoError('NotAuthorizedException', Messages.invalidRefreshToken);
  if (!parsed) throw invalid();
  const session = await ctx.store.readSession(parsed.originJti);
  if (!session || !refreshSecretMatches(parsed.secret, session.refreshTokenHash)) throw invalid();
  if (session.clientId !== ctx.clientId) throw invalid();
  const user = await ctx.store.readUser(session.sub);
  if (!user) throw new CognitoError('NotAuthorizedException', Messages.userNotFound);
  if (user.disabled) throw new CognitoError('NotAuthorizedException', Messages.userDisabled);
  if (!isLive(session, user)) throw new CognitoError('NotAuthorizedException', Messages.refreshTokenRevoked);
  if (session.expiresAt <= ctx.now()) throw new CognitoError('NotAuthorizedException', Messages.refreshTokenExpired);
  return { session, user };
}

/**
 * New ID and access tokens for a refresh token. Like a Cognito client without
 * rotation, no new refresh token is returned and the client keeps its own.
 */
export async function refreshSession(ctx: PoolContext, token: string): Promise<AuthenticationResult> {
  const { session, user } = await liveSessionForRefreshToken(ctx, token);
  // Re-read claims from the user so new groups or a verified email show up on refresh.
  return issueTokens(await issueContext(ctx), user, session);
}

/** RevokeToken: ends the session, so its refresh token and access tokens stop working. */
export async function revokeRefreshToken(ctx: PoolContext, token: string): Promise<void> {
  const parsed = parseRefreshToken(token);
  if (!parsed) throw new CognitoError('UnsupportedTokenTypeException', 'Unsupported token type');
  await ctx.locks.run(`session:${parsed.originJti}`, async () => {
    const session = await ctx.store.readSession(parsed.originJti);
    // Revoking an unknown or already revoked token succeeds, as in Cognito.
    if (!session || !refreshSecretMatches(parsed.secret, session.refreshTokenHash)) return;
    if (session.revokedAt !== undefined) return;
    await ctx.store.writeSession({ ...session, revokedAt: ctx.now() });
  });
}

/**
 * Resolves an access token to its user, refusing tokens whose session was
 * revoked (RevokeToken) or signed out everywhere (GlobalSignOut).
 */
export async function authenticate(ctx: PoolContext, accessToken: string): Promise<UserRecord> {
  const claims = verifyAccessToken(await issueContext(ctx), accessToken);
  const session = await ctx.store.readSession(claims.originJti);
  const user = await ctx.store.readUser(claims.sub);
  if (!user) throw new CognitoError('UserNotFoundException', Messages.userNotFound);
  if (!session || session.sub !== user.sub || !isLive(session, user)) {
    throw new CognitoError('NotAuthorizedException', Messages.accessTokenRevoked);
  }
  return user;
}
