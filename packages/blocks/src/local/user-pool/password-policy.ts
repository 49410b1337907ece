import type { PasswordPolicy as KitPasswordPolicy } from '../../core/password-policy.js';
import { CognitoError, invalidParameter } from './errors.js';

/** The kit's policy with every rule decided; Cognito's length cap is fixed (256), so there is no maxLength. */
export type PasswordPolicy = Required<Omit<KitPasswordPolicy, 'maxLength'>>;

/** Amplify Gen 2's default user pool policy (auth-construct DEFAULTS). */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  minLength: 8,
  requireLowercase: true,
  requireUppercase: true,
  requireDigits: true,
  requireSymbols: true,
};

/** Cognito's accepted special characters (space counts when not at an end). */
const SYMBOLS = new Set('^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+- ');
const MAX_PASSWORD_LENGTH = 256;

/**
 * Throws the error Cognito would for a password that breaks the policy,
 * checking in Cognito's order so the first failing rule is the one reported.
 */
export function assertPasswordAllowed(password: string, policy: PasswordPolicy): void {
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw invalidParameter(
      "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 256",
    );
  }
  if (/^\s|\s$/u.test(password)) {
    throw invalidParameter(
      "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$",
    );
  }
  const fail = (rule: string) =>
    new CognitoError('InvalidPasswordException', `Password did not conform with policy: ${rule}`);
  if ([...password].length < policy.minLength) throw fail('Password not long enough');
  if (policy.requireLowercase && !/[a-z]/.test(password)) throw fail('Password must have lowercase characters');
  if (policy.requireUppercase && !/[A-Z]/.test(password)) throw fail('Password must have uppercase characters');
  if (policy.requireDigits && !/[0-9]/.test(password)) throw fail('Password must have numeric characters');
  if (policy.requireSymbols && ![...password].some((char) => SYMBOLS.has(char))) {
    throw fail('Password must have symbol characters');
  }
}
