/**
 * The deployed EmailClient against the real @aws-sdk/client-sesv2 client,
 * its transport replaced by aws-sdk-client-mock: the SendEmail command it
 * builds, the identity check against the deployment's binding, and how SES
 * errors reach the caller.
 */
import { SendEmailCommand, SESv2Client, SESv2ServiceException } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isApiError, ServiceUnavailableError, type ApiError } from '../../core/errors.js';
import { Scope } from '../../core/scope.js';
import { EmailClient } from './index.aws.js';

const ses = mockClient(SESv2Client);
const scope = new Scope('email-aws');
const IDENTITY_ARN = 'arn:aws:ses:eu-west-1:123456789012:identity/example.com';
const mail = new EmailClient(scope, 'mail', { from: { address: 'no-reply@example.com', name: 'Zoë App' }, identity: 'example.com' });

beforeEach(() => {
  ses.reset();
  vi.stubEnv('BLOCKS_EMAIL_IDENTITIES', JSON.stringify({ 'email-aws/mail': IDENTITY_ARN, 'email-aws/stale': IDENTITY_ARN }));
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const sesError = (name: string, extra: Record<string, unknown> = {}): SESv2ServiceException =>
  Object.assign(new SESv2ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message: `${name} from SES` }), extra);

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!isApiError(error)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return error;
}

describe('EmailClient (aws-runtime) with SES v2', () => {
  it('sends one SendEmail command with from, to, subject, both bodies and reply-to', async () => {
    // Generic first, input-specific after: aws-sdk-client-mock matches the last declared that fits.
    ses.on(SendEmailCommand).resolves({ MessageId: 'generic' });
    ses.on(SendEmailCommand, { Destination: { ToAddresses: ['ada@example.com', '"Grace Hopper" <grace@example.org>'] } }).resolves({ MessageId: 'ses-1' });

    const sent = await mail.send({
      to: ['ada@example.com', { address: 'grace@example.org', name: 'Grace Hopper' }],
      subject: 'Your code',
      text: 'Code: 123456',
      html: '<p>Code: <b>123456</b></p>',
      replyTo: ['help@example.com'],
    });

    expect(sent).toEqual({ messageId: 'ses-1' });
    const calls = ses.commandCalls(SendEmailCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      FromEmailAddress: '=?UTF-8?B?Wm/DqyBBcHA=?= <no-reply@example.com>',
      Destination: { ToAddresses: ['ada@example.com', '"Grace Hopper" <grace@example.org>'] },
      ReplyToAddresses: ['help@example.com'],
      Content: {
        Simple: {
          Subject: { Data: 'Your code', Charset: 'UTF-8' },
          Body: { Text: { Data: 'Code: 123456', Charset: 'UTF-8' }, Html: { Data: '<p>Code: <b>123456</b></p>', Charset: 'UTF-8' } },
        },
      },
    });
  });

  it('leaves out what the message does not have', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-2' });
    await mail.send({ to: 'ada@example.com', subject: 'Text only', text: 'Hi' });
    const input = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(input).not.toHaveProperty('ReplyToAddresses');
    expect(input.Content?.Simple?.Body).toEqual({ Text: { Data: 'Hi', Charset: 'UTF-8' } });
  });

  it('refuses bad input before calling SES', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'never' });
    expect((await failure(mail.send({ to: 'ada@example.com', subject: 'a\r\nBcc: b@example.com', text: '.' }))).status).toBe(400);
    expect((await failure(mail.send({ to: 'ada@', subject: 'a', text: '.' }))).status).toBe(400);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it.each([
    ['TooManyRequestsException', {}, 1],
    ['LimitExceededException', {}, 60],
    ['SomeNewThrottle', { $retryable: { throttling: true } }, 1],
  ])('maps %s to 503 with Retry-After', async (name, extra, retryAfter) => {
    ses.on(SendEmailCommand).rejects(sesError(name, extra));
    const error = await failure(mail.send({ to: 'ada@example.com', subject: 'Hi', text: '.' }));
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error.status).toBe(503);
    expect((error as ServiceUnavailableError).retryAfterSeconds).toBe(retryAfter);
  });

  it.each(['MessageRejected', 'BadRequestException'])('maps %s to a 400 that does not repeat SES’s text', async (name) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    ses.on(SendEmailCommand).rejects(sesError(name));
    const error = await failure(mail.send({ to: 'ada@example.com', subject: 'Hi', text: '.' }));
    expect(error.status).toBe(400);
    expect(error.name).toBe('BadRequestError');
    expect(error.message).not.toContain('from SES');
    expect(error.data).toEqual({ reason: name });
    expect(warn.mock.calls.map(([line]) => String(line))).toEqual([expect.stringContaining(`${name} from SES`)]);
  });

  it('rethrows anything else unchanged, for the dispatcher to log as a 500', async () => {
    const original = sesError('AccountSuspendedException');
    ses.on(SendEmailCommand).rejects(original);
    await expect(mail.send({ to: 'ada@example.com', subject: 'Hi', text: '.' })).rejects.toBe(original);
  });

  it('refuses to send as an identity the deployment did not grant, and without a binding', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'never' });
    const stale = new EmailClient(scope, 'stale', { from: 'no-reply@other.example' });
    await expect(stale.send({ to: 'ada@example.com', subject: 'Hi', text: '.' })).rejects.toThrow(/sends as SES identity "no-reply@other.example".*deployment granted/);
    const unbound = new EmailClient(scope, 'unbound', { from: 'no-reply@example.com', identity: 'example.com' });
    await expect(unbound.send({ to: 'ada@example.com', subject: 'Hi', text: '.' })).rejects.toThrow(/BLOCKS_EMAIL_IDENTITIES has no entry/);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });
});

describe('EmailClient (aws-runtime) options', () => {
  it('checks the sender on the first send, not at construction: synthesis already refused a bad one', async () => {
    const misconfigured = new EmailClient(new Scope('email-aws-bad'), 'mail', { from: 'not-an-address' });
    const refusal = await misconfigured.send({ to: 'ada@example.com', subject: 'Hi', text: 'Hello' }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(refusal).toBeInstanceOf(TypeError);
    expect(String(refusal)).toMatch(/option from is not an email address/);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('refuses, on the first send, an identity the sender does not belong to, even with a binding for it', async () => {
    vi.stubEnv('BLOCKS_EMAIL_IDENTITIES', JSON.stringify({ 'email-aws-bad/foreign': 'arn:aws:ses:eu-west-1:123456789012:identity/example.org' }));
    const foreign = new EmailClient(new Scope('email-aws-bad'), 'foreign', { from: 'no-reply@example.com', identity: 'example.org' });
    await expect(foreign.send({ to: 'ada@example.com', subject: 'Hi', text: 'Hello' })).rejects.toThrow(/identity must be the from address/);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });
});
