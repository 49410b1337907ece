/**
 * blocks-kit: the one entry of the Blocks API, under every condition.
 * Each Block is a folder under `blocks/` with one variant per runtime; the
 * `#blocks/<name>` imports below resolve, through the package's `imports`
 * conditions, to `index.ts` (local files under .blocks-data/, the default),
 * `index.cdk.ts` (CDK synthesis: the Block provisions its cloud resources)
 * or `index.aws.ts` (inside the Lambda: AWS SDK clients). Application code
 * imports the same names everywhere.
 */
export { Scope, type ScopedResource } from './core/scope.js';
export { ApiNamespace, type ApiFactory, type ApiMethod, type ApiMethods } from './core/api-namespace.js';
export type { CookieJar, CookieOptions, RequestContext } from './core/context.js';
export {
  ApiError,
  BadRequestError,
  ConflictError,
  DuplicateIdError,
  ForbiddenError,
  InvalidParamsError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  UnauthorizedError,
} from './core/errors.js';
export { withInput, type InputMethod, type ParamIssue } from './core/input.js';
export type { PasswordPolicy } from './core/password-policy.js';
export { CognitoVerifier, type VerifiedUser } from './auth/cognito-verifier.js';

// One line per Block.
export * from '#blocks/kv-store';
export * from '#blocks/auth-basic';
export * from '#blocks/email-client';
export * from '#blocks/app-setting';
export * from '#blocks/raw-route';
export * from '#blocks/file-bucket';
export * from '#blocks/async-job';
export * from '#blocks/cron-job';
