/**
 * The password rules a new password must meet, in one shape for every part
 * of the kit that checks passwords (AuthBasic, the local user pool). The
 * field names follow CDK's `UserPool` password policy (`requireDigits`), so
 * a policy reads the same in `amplify/auth` overrides and in Blocks code.
 */
export interface PasswordPolicy {
  /** Default 8. */
  readonly minLength?: number;
  /** AuthBasic only (default 256): bounds the work one request can ask scrypt to do. Cognito's own limit is 256. */
  readonly maxLength?: number;
  readonly requireDigits?: boolean;
  readonly requireLowercase?: boolean;
  readonly requireUppercase?: boolean;
  readonly requireSymbols?: boolean;
}
