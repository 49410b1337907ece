/**
 * Amazon SES v2 delivery for the deployed EmailClient. The SDK client is
 * loaded on the first send and then shared by every EmailClient in the
 * process, so a cold start that sends no mail never loads it. SES errors
 * become API errors a caller can act on: throttling is a 503 with
 * Retry-After, a refused address a 400; anything else is the operator's
 * problem (identity not verified, sending paused) and is rethrown, so the
 * dispatcher logs it and answers a generic 500.
 */
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { requireAwsSdk } from '../../core/aws-sdk.js';
import { BadRequestError, ServiceUnavailableError } from '../../core/errors.js';
import { formatMailbox } from './address.js';
import type { EmailTransport } from './email-client.js';
import { identityOfArn } from './identity-binding.js';
import type { SentEmail, ValidatedEmail } from './message.js';

type Ses = { readonly module: typeof import('@aws-sdk/client-sesv2'); readonly client: SESv2Client };

let shared: Ses | undefined;

function ses(): Ses {
  if (!shared) {
    const module = requireAwsSdk<Ses['module']>('@aws-sdk/client-sesv2');
    shared = { module, client: new module.SESv2Client({}) };
  }
  return shared;
}

/** SES names for "slow down"; LimitExceeded is a quota, so it waits longer. */
const THROTTLED: Record<string, number> = {
  TooManyRequestsException: 1,
  ThrottlingException: 1,
  Throttling: 1,
  LimitExceededException: 60,
};
/** SES refused this message's content or addresses. */
const REJECTED = new Set(['MessageRejected', 'BadRequestException', 'InvalidParameterValue']);

export class SesTransport implements EmailTransport {
  readonly #block: string;

  /** `identityArn` is what the `cdk` variant granted and bound; sending as anything else is refused here. */
  constructor(block: { scope: { name: string }; id: string; identity: string }, identityArn: string) {
    this.#block = `${block.scope.name}/${block.id}`;
    if (identityOfArn(identityArn) !== block.identity) {
      throw new Error(
        `EmailClient "${this.#block}" sends as SES identity "${block.identity}", but the deployment granted ${identityArn}. ` +
          'Deploy again after changing from or identity.',
      );
    }
  }

  async send(email: ValidatedEmail): Promise<SentEmail> {
    const { module, client } = ses();
    const content = (data: string) => ({ Data: data, Charset: 'UTF-8' });
    const command = new module.SendEmailCommand({
      FromEmailAddress: formatMailbox(email.from),
      Destination: { ToAddresses: email.to.map(formatMailbox) },
      ...(email.replyTo.length > 0 && { ReplyToAddresses: email.replyTo.map(formatMailbox) }),
      Content: {
        Simple: {
          Subject: content(email.subject),
          Body: {
            ...(email.text !== undefined && { Text: content(email.text) }),
            ...(email.html !== undefined && { Html: content(email.html) }),
          },
        },
      },
    });
    try {
      const output = await client.send(command);
      return { messageId: output.MessageId ?? '' };
    } catch (error) {
      throw this.#mapError(error);
    }
  }

  #mapError(error: unknown): unknown {
    if (!(error instanceof Error)) return error;
    const throttledFor = Object.hasOwn(THROTTLED, error.name)
      ? THROTTLED[error.name]
      : (error as { $retryable?: { throttling?: boolean } }).$retryable?.throttling === true
        ? 1
        : undefined;
    if (throttledFor !== undefined) {
      return new ServiceUnavailableError('Email sending is busy; try again shortly.', throttledFor);
    }
    if (REJECTED.has(error.name)) {
      // SES's own text may name the sender identity or account state: it goes to the log, not to the caller.
      console.warn(`[blocks] EmailClient "${this.#block}": SES refused a message (${error.name}): ${error.message}`);
      return new BadRequestError('The email service refused this message; check the recipient addresses.', { reason: error.name });
    }
    return error;
  }
}
