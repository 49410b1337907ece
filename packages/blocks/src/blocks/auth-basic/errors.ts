/**
 * AuthBasic's errors: named subclasses of the kit's one hierarchy, so the
 * status and JSON-RPC code follow the usual rules and a client can branch on
 * `error.data.name`. Messages never say whether a username exists.
 *
 * Names are set explicitly because the Lambda bundle is minified, which
 * renames classes (and so `new.target.name`).
 */
import { ApiError, BadRequestError, ConflictError, ForbiddenError, UnauthorizedError } from '../../core/errors.js';

/** No valid session: no cookie, a forged or expired one, signed out, or revoked by a password reset. */
export class SessionExpiredException extends UnauthorizedError {
  constructor(message = 'Sign in to continue') {
    super(message);
    this.name = 'SessionExpiredException';
  }
}

/** Sign-in failed. The same error, after the same work, for an unknown username and a wrong password. */
export class NotAuthorizedException extends UnauthorizedError {
  constructor(message = 'Incorrect username or password') {
    super(message);
    this.name = 'NotAuthorizedException';
  }
}

/** The password was right but the sign-up code was never confirmed. */
export class UserNotConfirmedException extends ForbiddenError {
  constructor(message = 'Confirm your sign-up with the code we sent first') {
    super(message, { nextStep: 'confirmSignUp' });
    this.name = 'UserNotConfirmedException';
  }
}

export class UsernameExistsException extends ConflictError {
  constructor(message = 'That username is taken') {
    super(message);
    this.name = 'UsernameExistsException';
  }
}

/** Wrong, expired, already used, or never issued: one error, so it reveals nothing about the account. */
export class CodeMismatchException extends BadRequestError {
  constructor(message = 'Invalid or expired code') {
    super(message);
    this.name = 'CodeMismatchException';
  }
}

/** Confirmation and password reset need a `codeDelivery` callback in the AuthBasic options. */
export class CodeDeliveryNotConfiguredException extends BadRequestError {
  constructor(action: string) {
    super(`${action} is not available: this AuthBasic has no codeDelivery configured`);
    this.name = 'CodeDeliveryNotConfiguredException';
  }
}

/**
 * Too many failed attempts for this account or from this address; the lock
 * lifts by itself. 429 with `Retry-After` (the dispatcher reads `retryAfterSeconds`).
 */
export class TooManyAttemptsException extends ApiError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
    super(`Too many attempts; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`, 429, {
      retryAfterSeconds,
    });
    this.name = 'TooManyAttemptsException';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
