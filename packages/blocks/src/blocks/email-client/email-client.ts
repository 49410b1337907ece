/**
 * EmailClient: sends mail from one configured sender. The shared class of
 * every variant: it checks the sender at startup and each message on send,
 * then hands the checked message to its variant's transport (the local
 * outbox, Amazon SES, or nothing during CDK synthesis).
 *
 * @example
 * const mail = new EmailClient(scope, 'mail', { from: { address: 'no-reply@example.com', name: 'Example' } });
 * await mail.send({ to: 'ada@example.com', subject: 'Welcome', text: 'Hello Ada' });
 */
import type { Scope, ScopedResource } from '../../core/scope.js';
import { recipientProblem, toMailbox, type EmailAddress, type EmailRecipient } from './address.js';
import { validateMessage, type EmailMessage, type SentEmail, type ValidatedEmail } from './message.js';

export interface EmailClientOptions {
  /** The sender: `'no-reply@example.com'` or `{ address, name }`. */
  readonly from: EmailRecipient;
  /**
   * The SES identity the sender was verified as: the from address itself
   * (the default) or its domain. Deployed, the function may send only as
   * this identity.
   */
  readonly identity?: string;
}

/** What every EmailClient variant offers. */
export interface EmailClientApi {
  /** Sends one message; 400 for a bad address or header text, 503 when the provider throttles. */
  send(message: EmailMessage): Promise<SentEmail>;
}

/** Where a variant delivers checked messages. */
export interface EmailTransport {
  send(email: ValidatedEmail): Promise<SentEmail>;
}

export interface EmailClientRuntime {
  /** Called on the first send, never at construction: tooling imports apps without their environment. */
  transport(block: EmailClientBlock): EmailTransport;
}

/** The identity an EmailClient sends as; a domain identity must be the sender's own domain. */
function resolveIdentity(from: EmailAddress, identity: unknown): string {
  if (identity === undefined) return from.address.toLowerCase();
  const domain = from.address.slice(from.address.lastIndexOf('@') + 1).toLowerCase();
  if (typeof identity !== 'string' || ![from.address.toLowerCase(), domain].includes(identity.toLowerCase())) {
    throw new TypeError(
      `EmailClient option identity must be the from address "${from.address}" or its domain "${domain}", got ${JSON.stringify(identity)}.`,
    );
  }
  return identity.toLowerCase();
}

export class EmailClientBlock implements ScopedResource, EmailClientApi {
  readonly kind = 'EmailClient';
  readonly scope: Scope;
  readonly id: string;
  /** The sender of every message. */
  readonly from: EmailAddress;
  /** The SES identity (an address or a domain, lower case) the sender belongs to. */
  readonly identity: string;
  readonly #runtime: EmailClientRuntime;
  #transport?: EmailTransport;

  protected constructor(scope: Scope, id: string, options: EmailClientOptions, runtime: EmailClientRuntime) {
    this.scope = scope;
    this.id = id;
    scope.register(this);
    const fromProblem = recipientProblem((options as Partial<EmailClientOptions> | undefined)?.from);
    if (fromProblem) throw new TypeError(`EmailClient "${scope.name}/${id}" option from ${fromProblem}.`);
    this.from = toMailbox(options.from);
    this.identity = resolveIdentity(this.from, options.identity);
    this.#runtime = runtime;
  }

  async send(message: EmailMessage): Promise<SentEmail> {
    const email = validateMessage(message, this.from);
    this.#transport ??= this.#runtime.transport(this);
    return this.#transport.send(email);
  }
}
