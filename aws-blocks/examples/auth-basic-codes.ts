/**
 * Test support for the AuthBasic example: the newest code the example's
 * EmailClient "sent" to an address, read from the local outbox the way a
 * developer reads it in the terminal. Node only (it reads .blocks-data/).
 */
import { readEmailOutbox } from 'blocks-kit';

/** The six-digit code in the newest message to `email`, or an error listing what the outbox holds. */
export async function latestCode(email: string, options: { dataDir?: string; subject?: RegExp } = {}): Promise<string> {
  const messages = await readEmailOutbox({
    scope: 'auth-basic-example',
    id: 'mail',
    to: email,
    ...(options.dataDir !== undefined && { dataDir: options.dataDir }),
  });
  const wanted = messages.filter((message) => options.subject === undefined || options.subject.test(message.subject));
  const code = /\b(\d{6})\b/.exec(wanted.at(-1)?.text ?? '')?.[1];
  if (code === undefined) throw new Error(`No code for ${email} in the outbox (${messages.length} messages to it).`);
  return code;
}
