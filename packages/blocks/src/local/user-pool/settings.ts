import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from './password-policy.js';

/**
 * How a pool is configured, in the terms of a Cognito user pool and its app
 * client. The dev server derives it from the app's `defineAuth`
 * (dev/auth-definition/); the defaults are Amplify Gen 2's `loginWith: { email: true }`.
 */

/** Second factors the local pool can run. */
export type MfaMethod = 'TOTP' | 'EMAIL' | 'SMS';

/** Attributes that can be a sign-in name (Cognito's `UsernameAttributes`). */
export type SignInAttribute = 'email' | 'phone_number';

export interface PoolSettings {
  readonly passwordPolicy: PasswordPolicy;
  /** Standard attributes SignUp must carry (the sign-in name counts as given). */
  readonly requiredAttributes: readonly string[];
  /** `custom:<name>` attributes in the schema; any other `custom:` name is refused. `any` accepts every name. */
  readonly customAttributes: readonly string[] | 'any';
  /** Groups that exist, with their precedence (lower wins; tokens list groups in this order). */
  readonly groups: readonly { name: string; precedence?: number }[];
  readonly tokenValidity: { readonly idSeconds: number; readonly accessSeconds: number; readonly refreshSeconds: number };
  /** `OFF`, `OPTIONAL` (users opt in), or `ON` (every user sets up a factor at first sign-in). */
  readonly mfaMode: 'OFF' | 'OPTIONAL' | 'ON';
  readonly mfaMethods: readonly MfaMethod[];
  /** USER_AUTH sign-in with a code by email instead of a password. */
  readonly passwordlessEmail: boolean;
  /** USER_AUTH sign-in with a code by SMS (`SMS_OTP`). */
  readonly passwordlessSms: boolean;
  /**
   * What SignUp's Username and sign-in accept: an email, a phone number (E.164), or either; the
   * Cognito username of every user is then its `sub`. Empty: a free username (case-insensitive),
   * which is then the Cognito username.
   */
  readonly usernameAttributes: readonly SignInAttribute[];
  /** Where the sign-up code goes: SMS when `phone_number` is listed and the user has one, else email. */
  readonly autoVerifiedAttributes: readonly SignInAttribute[];
}

export const DEFAULT_POOL_SETTINGS: PoolSettings = {
  passwordPolicy: DEFAULT_PASSWORD_POLICY,
  requiredAttributes: ['email'],
  customAttributes: 'any',
  groups: [{ name: 'admins', precedence: 0 }],
  tokenValidity: { idSeconds: 3600, accessSeconds: 3600, refreshSeconds: 30 * 24 * 3600 },
  mfaMode: 'OFF',
  mfaMethods: [],
  passwordlessEmail: false,
  passwordlessSms: false,
  usernameAttributes: ['email'],
  autoVerifiedAttributes: ['email'],
};
