/**
 * EmailClient: sends mail from one configured sender. The shared class of
 * every variant: it checks the sender at startup (deployed, on the first
 * send) and each message on send, then hands the checked message to its
 * variant's transport (the local outbox, Amazon SES, or nothing during CDK
 * synthesis).
 *
 * @example
 * const mail = new EmailClient(scope, 'mail', { from: { address: 'no-reply@example.com', name: 'Example' } });
 * await mail.send({ to: 'ada@example.com', subject: 'Welcome', text: 'Hello Ada' });
 */
import { checkedOptions, type OptionCheck } from '../../core/option-check.js';
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
  readonly #runtime: EmailClientRuntime;
  readonly #sender: () => { readonly from: EmailAddress; readonly identity: string };
  #transport?: EmailTransport;

  /** `check`: 'on-first-use' in the deployed function, where synthesis already checked the sender (core/option-check.ts). */
  protected constructor(scope: Scope, id: string, options: EmailClientOptions, runtime: EmailClientRuntime, check: OptionCheck = 'at-construction') {
    this.scope = scope;
    this.id = id;
    scope.register(this);
    const { from, identity } = (options ?? {}) as Partial<EmailClientOptions>;
    this.#sender = checkedOptions(check, () => {
      const fromProblem = recipientProblem(from);
      if (fromProblem) throw new TypeError(`EmailClient "${scope.name}/${id}" option from ${fromProblem}.`);
      const mailbox = toMailbox(from as EmailRecipient);
      return { from: mailbox, identity: resolveIdentity(mailbox, identity) };
    });
    this.#runtime = runtime;
  }

  /** The sender of every message. */
  get from(): EmailAddress {
    return this.#sender().from;
  }

  /** The SES identity (an address or a domain, lower case) the sender belongs to. */
  get identity(): string {
    return this.#sender().identity;
  }

  async send(message: EmailMessage): Promise<SentEmail> {
    const email = validateMessage(message, this.from);
    this.#transport ??= this.#runtime.transport(this);
    return this.#transport.send(email);
  }
}
