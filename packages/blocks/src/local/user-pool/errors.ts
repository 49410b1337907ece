/**
 * Errors in the shape of Cognito's JSON protocol: the Amplify client reads
 * the name from `__type` (or the `x-amzn-errortype` header) and branches on
 * it, e.g. `UserNotConfirmedException` becomes the CONFIRM_SIGN_UP step, so
 * names and, where the UI shows them, messages follow Cognito.
 */

export type CognitoErrorName =
  | 'AliasExistsException'
  | 'CodeMismatchException'
  | 'EnableSoftwareTokenMFAException'
  | 'ExpiredCodeException'
  | 'InternalErrorException'
  | 'InvalidParameterException'
  | 'InvalidPasswordException'
  | 'LimitExceededException'
  | 'NotAuthorizedException'
  | 'RequestEntityTooLargeException'
  | 'ResourceNotFoundException'
  | 'SerializationException'
  | 'TooManyRequestsException'
  | 'UnknownOperationException'
  | 'UnsupportedTokenTypeException'
  | 'UserNotConfirmedException'
  | 'UserNotFoundException'
  | 'UsernameExistsException';

export class CognitoError extends Error {
  readonly type: CognitoErrorName;
  readonly status: number;

  constructor(type: CognitoErrorName, message: string, status = 400) {
    super(message);
    this.name = 'CognitoError';
    this.type = type;
    this.status = status;
  }

  toBody(): { __type: CognitoErrorName; message: string } {
    return { __type: this.type, message: this.message };
  }
}

/** Messages Cognito uses verbatim; the Authenticator shows some of them. */
export const Messages = {
  incorrectCredentials: 'Incorrect username or password.',
  passwordAttemptsExceeded: 'Password attempts exceeded',
  attemptLimit: 'Attempt limit exceeded, please try after some time.',
  codeMismatch: 'Invalid verification code provided, please try again.',
  codeExpired: 'Invalid code provided, please request a code again.',
  userNotConfirmed: 'User is not confirmed.',
  userExists: 'An account with the given email already exists.',
  invalidAccessToken: 'Invalid Access Token',
  accessTokenExpired: 'Access Token has expired',
  accessTokenRevoked: 'Access Token has been revoked',
  invalidRefreshToken: 'Invalid Refresh Token',
  refreshTokenExpired: 'Refresh Token has expired',
  refreshTokenRevoked: 'Refresh Token has been revoked',
  userNotFound: 'User does not exist.',
  userDisabled: 'User is disabled.',
  sessionExpired: 'Invalid session for the user, session is expired.',
} as const;

export const incorrectCredentials = (): CognitoError =>
  new CognitoError('NotAuthorizedException', Messages.incorrectCredentials);

export const invalidParameter = (message: string): CognitoError =>
  new CognitoError('InvalidParameterException', message);
