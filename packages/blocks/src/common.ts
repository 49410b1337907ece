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
