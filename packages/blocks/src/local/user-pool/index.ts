/**
 * A Cognito-compatible user pool for local development: the unmodified
 * `aws-amplify` client and the Amplify UI Authenticator sign up, confirm,
 * sign in (SRP), refresh, reset passwords and sign out against it with the
 * same code as against the cloud. Mount `userPoolMiddleware(pool)` in the dev
 * server and point `Auth.Cognito.userPoolEndpoint` at it; verify its tokens
 * with `pool.issuer` and the JWKS it serves.
 */
export { createLocalUserPool } from './pool.js';
export type { LocalUserPool, LocalUserPoolOptions, UserPoolRequest, UserPoolResponse } from './pool.js';
export { userPoolMiddleware } from './http.js';
export type { ConnectMiddleware, UserPoolMiddlewareOptions } from './http.js';
export type { AdminCreateUserInput, PendingCode, UserDetails, UserSummary } from './admin.js';
export type { CodeEvent } from './context.js';
export type { CodeKind } from './records.js';
export { readUserPoolOutbox } from './outbox.js';
export type { DeliveryMedium, OutboxMessage, ReadUserPoolOutboxOptions } from './outbox.js';
export type { JwksDocument, PublicJwk } from './keys.js';
export type { PasswordPolicy } from './password-policy.js';
export { DEFAULT_PASSWORD_POLICY } from './password-policy.js';
export { CognitoError } from './errors.js';
export type { CognitoErrorName } from './errors.js';
