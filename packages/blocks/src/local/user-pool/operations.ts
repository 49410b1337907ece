import { getTokensFromRefreshToken, initiateAuth, respondToAuthChallenge } from './op-auth.js';
import { changePassword, confirmForgotPassword, forgotPassword } from './op-password.js';
import { globalSignOut, revokeToken } from './op-sign-out.js';
import { confirmSignUp, resendConfirmationCode, signUp } from './op-sign-up.js';
import {
  deleteUser,
  deleteUserAttributes,
  getUser,
  getUserAttributeVerificationCode,
  updateUserAttributes,
  verifyUserAttribute,
} from './op-user.js';
import { associateSoftwareToken, setUserMfaPreference, verifySoftwareToken } from './op-mfa.js';
import type { Operation } from './operation.js';

/**
 * The Cognito actions the local pool answers, by `x-amz-target` suffix: what
 * Amplify's email sign-up, sign-in, reset, account-settings and sign-out
 * flows call. A Map, so a target like `toString` cannot hit a prototype.
 */
export const OPERATIONS: ReadonlyMap<string, Operation> = new Map<string, Operation>([
  ['SignUp', signUp],
  ['ConfirmSignUp', confirmSignUp],
  ['ResendConfirmationCode', resendConfirmationCode],
  ['InitiateAuth', initiateAuth],
  ['RespondToAuthChallenge', respondToAuthChallenge],
  ['GetTokensFromRefreshToken', getTokensFromRefreshToken],
  ['GlobalSignOut', globalSignOut],
  ['RevokeToken', revokeToken],
  ['ForgotPassword', forgotPassword],
  ['ConfirmForgotPassword', confirmForgotPassword],
  ['ChangePassword', changePassword],
  ['GetUser', getUser],
  ['UpdateUserAttributes', updateUserAttributes],
  ['GetUserAttributeVerificationCode', getUserAttributeVerificationCode],
  ['VerifyUserAttribute', verifyUserAttribute],
  ['DeleteUserAttributes', deleteUserAttributes],
  ['DeleteUser', deleteUser],
  ['AssociateSoftwareToken', associateSoftwareToken],
  ['VerifySoftwareToken', verifySoftwareToken],
  ['SetUserMFAPreference', setUserMfaPreference],
]);

export const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';
