// The part of the public API that is identical in every runtime.
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
export { CognitoVerifier, type VerifiedUser } from './auth/cognito-verifier.js';
export type { DeleteOptions, KVItem, KVStoreApi, ListOptions, ListResult, PutOptions } from './kv/types.js';
export { AuthBasic, type AuthBasicApi } from './auth-basic/auth-basic.js';
export type { AuthBasicUser, AuthState, NextStep } from './auth-basic/auth-service.js';
export type { CodePurpose } from './auth-basic/codes.js';
export {
  CodeDeliveryNotConfiguredException,
  CodeMismatchException,
  NotAuthorizedException,
  SessionExpiredException,
  TooManyAttemptsException,
  UsernameExistsException,
  UserNotConfirmedException,
} from './auth-basic/errors.js';
export type { SetAuthStateInput } from './auth-basic/input.js';
export type {
  AuthBasicOptions,
  AuthBasicOverrides,
  AuthBasicStores,
  CodeDelivery,
  LockoutOptions,
} from './auth-basic/options.js';
export type { PasswordPolicy } from './auth-basic/password-policy.js';
