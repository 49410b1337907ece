/** What every AuthBasic variant exports besides the class itself: its types and named errors. */
export type { AuthBasicApi } from './auth-basic.js';
export type { AuthBasicUser, AuthState, NextStep } from './auth-service.js';
export type { CodePurpose } from './codes.js';
export {
  CodeDeliveryNotConfiguredException,
  CodeMismatchException,
  NotAuthorizedException,
  SessionExpiredException,
  TooManyAttemptsException,
  UsernameExistsException,
  UserNotConfirmedException,
} from './errors.js';
export type { SetAuthStateInput } from './input.js';
export type { AuthBasicOptions, AuthBasicOverrides, AuthBasicStores, CodeDelivery, LockoutOptions } from './options.js';
