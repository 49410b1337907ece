/**
 * What `EmailClient.send` accepts, checked once at the edge so that both the
 * local outbox and SES get the same, already-safe message. The message often
 * carries text a user typed (an address, a subject), so every problem is a
 * 400 naming the field, never the value.
 */
import { BadRequestError, PayloadTooLargeError } from '../../core/errors.js';
import { headerTextProblem, recipientProblem, toMailbox, type EmailAddress, type EmailRecipient } from './address.js';

/** One recipient or a list of them. */
export type EmailRecipients = EmailRecipient | readonly EmailRecipient[];

export interface EmailMessage {
  /** 1 to 50 recipients. */
  readonly to: EmailRecipients;
  /** One line, up to 998 characters. */
  readonly subject: string;
  /** Plain-text body. At least one of `text` and `html` is required. */
  readonly text?: string;
  /** HTML body; send a `text` alternative too for clients that show no HTML. */
  readonly html?: string;
  /** Where replies go, instead of the sender; up to 10 addresses. */
  readonly replyTo?: EmailRecipients;
}

/** The answer to a send: the provider's id locally (the outbox file's name) and in SES. */
export interface SentEmail {
  readonly messageId: string;
}

/** A message after `validateMessage`: mailboxes resolved, every field checked. */
export interface ValidatedEmail {
  readonly from: EmailAddress;
  readonly to: readonly EmailAddress[];
  readonly replyTo: readonly EmailAddress[];
  readonly subject: string;
  readonly text?: string;
  readonly html?: string;
}

const MAX_RECIPIENTS = 50; // SES's limit per message
const MAX_REPLY_TO = 10;
const MAX_SUBJECT_LENGTH = 998; // one header line (RFC 5322)
export const MAX_BODY_BYTES = 1024 * 1024; // text and html together

const FIELDS = new Set(['to', 'subject', 'text', 'html', 'replyTo']);

const bad = (field: string, problem: string): BadRequestError => new BadRequestError(`Email ${field} ${problem}.`, { field });

function recipients(field: 'to' | 'replyTo', value: unknown, max: number): EmailAddress[] {
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (list.length > max) throw bad(field, `has more than ${max} addresses`);
  return list.map((item, index) => {
    const problem = recipientProblem(item);
    if (problem) throw bad(Array.isArray(value) ? `${field}[${index}]` : field, problem);
    return toMailbox(item as EmailRecipient);
  });
}

function body(field: 'text' | 'html', value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw bad(field, 'must be a string');
  return value;
}

/** The message `from` sends, or a 400 (413 for oversized bodies) saying which field is wrong. */
export function validateMessage(message: unknown, from: EmailAddress): ValidatedEmail {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw new BadRequestError('Email message must be an object { to, subject, text?, html?, replyTo? }.');
  }
  const fields = message as Record<string, unknown>;
  const unknown = Object.keys(fields).find((key) => !FIELDS.has(key));
  if (unknown !== undefined) throw bad('message', `has an unknown field ${JSON.stringify(unknown)} (expected to, subject, text, html, replyTo)`);

  if (fields.to === undefined || (Array.isArray(fields.to) && fields.to.length === 0)) throw bad('to', 'needs at least one address');
  const to = recipients('to', fields.to, MAX_RECIPIENTS);
  const replyTo = fields.replyTo === undefined ? [] : recipients('replyTo', fields.replyTo, MAX_REPLY_TO);

  const { subject } = fields;
  if (typeof subject !== 'string' || subject.trim() === '') throw bad('subject', 'must be a non-empty string');
  if (subject.length > MAX_SUBJECT_LENGTH) throw bad('subject', `is longer than ${MAX_SUBJECT_LENGTH} characters`);
  const subjectProblem = headerTextProblem(subject);
  if (subjectProblem) throw bad('subject', subjectProblem);

  const text = body('text', fields.text);
  const html = body('html', fields.html);
  if (text === undefined && html === undefined) throw bad('message', 'needs a text or an html body');
  const size = Buffer.byteLength(text ?? '') + Buffer.byteLength(html ?? '');
  if (size > MAX_BODY_BYTES) throw new PayloadTooLargeError(`Email body is larger than ${MAX_BODY_BYTES} bytes.`, { field: 'body' });

  return { from, to, replyTo, subject, ...(text !== undefined && { text }), ...(html !== undefined && { html }) };
}

/** Addresses as the dev terminal shows them. */
export const addressList = (mailboxes: readonly EmailAddress[]): string => mailboxes.map((mailbox) => mailbox.address).join(', ');
