import { createHash, randomBytes, randomUUID, sign, timingSafeEqual, verify } from 'node:crypto';
import { CognitoError, Messages } from './errors.js';
import { isJsonObject, safeJsonParse, type JsonObject } from '../../core/safe-json.js';
import type { SigningKeys } from './keys.js';
import { UUID_RE, type SessionRecord, type UserRecord } from './records.js';


export interface AuthenticationResult {
  AccessToken: string;
  IdToken: string;
  ExpiresIn: number;
  TokenType: 'Bearer';
  RefreshToken?: string;
}

function signJwt(keys: SigningKeys, payload: JsonObject): string {
  // Cognito's header carries only kid and alg.
  const header = Buffer.from(JSON.stringify({ kid: keys.kid, alg: 'RS256' })).toString('base64url');
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = sign('sha256', Buffer.from(`${header}.${body}`), keys.privateKey).toString('base64url');
  return `${header}.${body}.${signature}`;
}

/** Payload of a JWT this pool signed; undefined for anything else. */
function verifyJwt(keys: SigningKeys, token: string): JsonObject | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || token.length > 16_384) return undefined;
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  const header = safeJsonParse(Buffer.from(headerPart, 'base64url').toString('utf8'));
  if (!isJsonObject(header) || header.alg !== 'RS256' || header.kid !== keys.kid) return undefined;
  const valid = verify(
    'sha256',
    Buffer.from(`${headerPart}.${payloadPart}`),
    keys.publicKey,
    Buffer.from(signaturePart, 'base64url'),
  );
  if (!valid) return undefined;
  const payload = safeJsonParse(Buffer.from(payloadPart, 'base64url').toString('utf8'));
  return isJsonObject(payload) ? payload : undefined;
}

export interface IssueContext {
  keys: SigningKeys;
  issuer: string;
  clientId: string;
  nowMs: number;
  /** The app client's token validity (Cognito's defaults: 1 h, 1 h). */
  idSeconds: number;
  accessSeconds: number;
  /** Group names in precedence order (lower first), as Cognito lists them in `cognito:groups`. */
  groupOrder: readonly string[];
}

function orderedGroups(groups: readonly string[], order: readonly string[]): string[] {
  const rank = (group: string) => {
    const index = order.indexOf(group);
    return index < 0 ? order.length : index;
  };
  return [...groups].sort((a, b) => rank(a) - rank(b));
}

/** ID and access tokens for a session, with claims as Cognito issues them. */
export function issueTokens(ctx: IssueContext, user: UserRecord, session: SessionRecord): AuthenticationResult {
  const iat = Math.floor(ctx.nowMs / 1000);
  const groups = user.groups.length > 0 ? { 'cognito:groups': orderedGroups(user.groups, ctx.groupOrder) } : {};
  const common = {
    sub: user.sub,
    iss: ctx.issuer,
    origin_jti: session.originJti,
    event_id: session.eventId,
    auth_time: session.authTime,
    iat,
  };
  const idToken = signJwt(ctx.keys, {
    // Profile attributes first so they can never shadow a protocol claim.
    ...user.attributes,
    ...common,
    ...groups,
    ...(user.phoneNumber && { phone_number_verified: user.phoneVerified === true, phone_number: user.phoneNumber }),
    ...(user.email && { email_verified: user.emailVerified, email: user.email }),
    'cognito:username': user.username ?? user.sub,
    aud: ctx.clientId,
    token_use: 'id',
    exp: iat + ctx.idSeconds,
    jti: randomUUID(),
  });
  const accessToken = signJwt(ctx.keys, {
    ...common,
    ...groups,
    client_id: ctx.clientId,
    token_use: 'access',
    scope: 'aws.cognito.signin.user.admin',
    exp: iat + ctx.accessSeconds,
    jti: randomUUID(),
    username: user.username ?? user.sub,
  });
  return { AccessToken: accessToken, IdToken: idToken, ExpiresIn: ctx.accessSeconds, TokenType: 'Bearer' };
}

export interface AccessClaims {
  sub: string;
  originJti: string;
}

/**
 * Checks an access token's signature, issuer, client and expiry. Revocation
 * needs the session store and is checked by the caller.
 */
export function verifyAccessToken(ctx: IssueContext, token: string): AccessClaims {
  const payload = verifyJwt(ctx.keys, token);
  const invalid = () => new CognitoError('NotAuthorizedException', Messages.invalidAccessToken);
  if (!payload) throw invalid();
  const { sub, origin_jti: originJti, token_use: tokenUse, client_id: clientId, iss, exp } = payload;
  if (tokenUse !== 'access' || clientId !== ctx.clientId || iss !== ctx.issuer) throw invalid();
  if (typeof sub !== 'string' || typeof originJti !== 'string' || typeof exp !== 'number') throw invalid();
  if (exp * 1000 <= ctx.nowMs) throw new CognitoError('NotAuthorizedException', Messages.accessTokenExpired);
  return { sub, originJti };
}

/**
 * Refresh tokens are opaque to clients: `<origin_jti>.<secret>`. Only a hash
 * of the secret is stored, so the session files cannot be replayed as tokens.
 */
export function newRefreshToken(originJti: string): { token: string; hash: string } {
  const secret = randomBytes(48).toString('base64url');
  return { token: `${originJti}.${secret}`, hash: hashSecret(secret) };
}

export function parseRefreshToken(token: string): { originJti: string; secret: string } | undefined {
  const dot = token.indexOf('.');
  if (dot < 0) return undefined;
  const originJti = token.slice(0, dot);
  const secret = token.slice(dot + 1);
  if (!UUID_RE.test(originJti) || !/^[A-Za-z0-9_-]{16,128}$/.test(secret)) return undefined;
  return { originJti, secret };
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function refreshSecretMatches(secret: string, storedHash: string): boolean {
  const expected = Buffer.from(storedHash, 'hex');
  const actual = Buffer.from(hashSecret(secret), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
