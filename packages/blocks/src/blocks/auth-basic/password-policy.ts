/** AuthBasic's password rules, applied at sign-up and reset; never re-checked at sign-in. */
import type { PasswordPolicy } from '../../core/password-policy.js';

export type { PasswordPolicy };

export type ResolvedPasswordPolicy = Required<PasswordPolicy>;

export const MAX_PASSWORD_LENGTH = 1024;

export function resolvePasswordPolicy(policy: PasswordPolicy = {}): ResolvedPasswordPolicy {
  const resolved: ResolvedPasswordPolicy = {
    minLength: policy.minLength ?? 8,
    maxLength: policy.maxLength ?? 256,
    requireDigits: policy.requireDigits ?? false,
    requireLowercase: policy.requireLowercase ?? false,
    requireUppercase: policy.requireUppercase ?? false,
    requireSymbols: policy.requireSymbols ?? false,
  };
  const { minLength, maxLength } = resolved;
  if (!Number.isInteger(minLength) || minLength < 1 || !Number.isInteger(maxLength) || maxLength < minLength || maxLength > MAX_PASSWORD_LENGTH) {
    throw new TypeError(
      `Invalid passwordPolicy: need 1 <= minLength <= maxLength <= ${MAX_PASSWORD_LENGTH}, got ${minLength} and ${maxLength}.`,
    );
  }
  return resolved;
}

/**
 * NFKC, as NIST SP 800-63B suggests, so the same password typed on different
 * keyboards (composed or decomposed accents, full-width digits) hashes the same.
 */
export function normalisePassword(raw: string): string {
  return raw.normalize('NFKC');
}

/** Every rule the (normalised) password breaks, as messages a user can act on. */
export function passwordProblems(password: string, policy: ResolvedPasswordPolicy): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (/\p{Cs}/u.test(password)) problems.push('Password must be valid Unicode text');
  if (length < policy.minLength) problems.push(`Password must be at least ${policy.minLength} characters`);
  if (length > policy.maxLength) problems.push(`Password must be at most ${policy.maxLength} characters`);
  if (policy.requireDigits && !/\p{Nd}/u.test(password)) problems.push('Password must contain a digit');
  if (policy.requireLowercase && !/\p{Ll}/u.test(password)) problems.push('Password must contain a lowercase letter');
  if (policy.requireUppercase && !/\p{Lu}/u.test(password)) problems.push('Password must contain an uppercase letter');
  if (policy.requireSymbols && !/[^\p{L}\p{N}\s]/u.test(password)) problems.push('Password must contain a symbol');
  return problems;
}
