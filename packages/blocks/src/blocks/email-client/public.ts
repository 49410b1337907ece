/**
 * What every EmailClient variant exports besides the class itself: its types
 * and the local outbox reader (tools and tests read the outbox in any
 * condition; it touches only files).
 */
export type { EmailAddress, EmailRecipient } from './address.js';
export type { EmailClientApi, EmailClientOptions } from './email-client.js';
export type { EmailMessage, EmailRecipients, SentEmail } from './message.js';
export { readEmailOutbox, type OutboxEmail, type OutboxEntry, type ReadEmailOutboxOptions } from './outbox.js';
