/**
 * One spelling per account: sign-up, sign-in and reset all go through
 * `normaliseUsername`, so "  Alice@Example.COM" and "alice@example.com" are
 * the same user, and so are the composed and decomposed forms of "é".
 */

const MAX_USERNAME_LENGTH = 128;

/** Trimmed, case-folded (usernames are case-insensitive, emails included), NFC. */
export function normaliseUsername(raw: string): string {
  return raw.trim().toLowerCase().normalize('NFC');
}

// Whitespace, controls, format characters (zero-width joiners and the like)
// and unassigned code points make look-alike usernames, so none are allowed.
const FORBIDDEN = /[\s\p{Cc}\p{Cf}\p{Cn}]/u;

/** Why a normalised username is unusable, or undefined when it is fine. */
export function usernameProblem(username: string): string | undefined {
  if (username.length === 0) return 'Enter a username';
  if (!username.isWellFormed()) return 'Usernames must be valid Unicode text';
  if ([...username].length > MAX_USERNAME_LENGTH) return `Usernames are at most ${MAX_USERNAME_LENGTH} characters`;
  if (FORBIDDEN.test(username)) return 'Usernames cannot contain spaces or invisible characters';
  return undefined;
}
