/**
 * Email addresses and header text as EmailClient accepts them. Subjects,
 * display names and addresses all end up in mail headers, where a line break
 * would let whoever controls the text add headers of their own (Bcc, a new
 * body); so control characters are refused, never stripped. Addresses are
 * plain `local@domain` with an ASCII domain: no comments, quoted local parts
 * or IP literals, which SES refuses or receivers treat inconsistently.
 */

/** A mailbox with an optional display name: `{ address: 'ada@example.com', name: 'Ada Lovelace' }`. */
export interface EmailAddress {
  readonly address: string;
  readonly name?: string;
}

/** One address (`'ada@example.com'`) or a mailbox with a display name. */
export type EmailRecipient = string | EmailAddress;

const MAX_ADDRESS_LENGTH = 254;
const MAX_NAME_LENGTH = 100;

// RFC 5322 dot-atom for the local part; LDH labels for the domain, its last label starting with a letter.
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LOCAL = new RegExp(`^${ATEXT}(?:\\.${ATEXT})*$`);
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const DOMAIN = new RegExp(`^(?:${LABEL}\\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`);

/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
function hasControlCharacter(text: string): boolean {
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029) return true;
  }
  return false;
}

/** Why `text` cannot go into a header, or undefined. */
export function headerTextProblem(text: string): string | undefined {
  if (hasControlCharacter(text)) return 'contains a line break or another control character';
  if (!text.isWellFormed()) return 'is not valid Unicode text';
  return undefined;
}

/** Why `address` is not a plain `local@domain` address, or undefined. */
function addressProblem(address: string): string | undefined {
  const header = headerTextProblem(address);
  if (header) return header;
  if (address.length > MAX_ADDRESS_LENGTH) return `is longer than ${MAX_ADDRESS_LENGTH} characters`;
  const at = address.lastIndexOf('@');
  if (at < 1 || at === address.length - 1) return 'is not an email address (local@domain)';
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64) return 'has a local part longer than 64 characters';
  if (!LOCAL.test(local)) return 'is not an email address: its local part (before the @) has characters an address cannot contain';
  if (/[^\x20-\x7e]/.test(domain)) return 'has a non-ASCII domain: write it in punycode (xn--...)';
  if (!DOMAIN.test(domain)) return 'is not an email address: its domain is not a host name like example.com';
  return undefined;
}

/** Why `value` is not a usable recipient, or undefined; `value` comes from callers, so it is `unknown`. */
export function recipientProblem(value: unknown): string | undefined {
  if (typeof value === 'string') return addressProblem(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an address string or { address, name }';
  const { address, name, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) return `has unknown field ${JSON.stringify(unknown[0])}`;
  if (typeof address !== 'string') return 'must have an address string';
  const problem = addressProblem(address);
  if (problem) return problem;
  if (name === undefined) return undefined;
  if (typeof name !== 'string') return 'has a name that is not a string';
  if ([...name].length > MAX_NAME_LENGTH) return `has a name longer than ${MAX_NAME_LENGTH} characters`;
  const nameProblem = headerTextProblem(name);
  return nameProblem ? `has a name that ${nameProblem}` : undefined;
}

/** A checked recipient as a mailbox; an empty name is no name. */
export function toMailbox(recipient: EmailRecipient): EmailAddress {
  if (typeof recipient === 'string') return { address: recipient };
  return recipient.name ? { address: recipient.address, name: recipient.name } : { address: recipient.address };
}

/**
 * The mailbox as a header value: `"Ada Lovelace" <ada@example.com>`. Names
 * outside printable ASCII become RFC 2047 encoded words, as SES requires;
 * each word stays under the 75 characters the RFC allows.
 */
export function formatMailbox({ address, name }: EmailAddress): string {
  if (!name) return address;
  if (/^[\x20-\x7e]*$/.test(name)) return `"${name.replace(/["\\]/g, (char) => `\\${char}`)}" <${address}>`;
  return `${encodedWords(name)} <${address}>`;
}

// 45 bytes of UTF-8 is 60 base64 characters: with "=?UTF-8?B?" and "?=" a word is 72 long.
const WORD_BYTES = 45;

function encodedWords(text: string): string {
  const words: string[] = [];
  let chunk: Buffer[] = [];
  let size = 0;
  const flush = (): void => {
    if (size > 0) words.push(`=?UTF-8?B?${Buffer.concat(chunk).toString('base64')}?=`);
    chunk = [];
    size = 0;
  };
  // Whole code points per word, so no character is split across two words.
  for (const char of text) {
    const bytes = Buffer.from(char, 'utf8');
    if (size + bytes.length > WORD_BYTES) flush();
    chunk.push(bytes);
    size += bytes.length;
  }
  flush();
  return words.join(' ');
}
