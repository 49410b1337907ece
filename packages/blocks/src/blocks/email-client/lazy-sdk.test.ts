/**
 * A cold start that sends no email must not load the SES SDK. A child Node
 * process imports the kit under the `aws-runtime` condition with hooks that
 * refuse `@aws-sdk/client-sesv2` whether it is imported (ESM resolve hook)
 * or required (the CommonJS loader, which the kit uses for the SDK): loading
 * the app and declaring an EmailClient succeed, and only the first send
 * reaches a hook.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const projectRoot = path.resolve(import.meta.dirname, '../../../../..');

const HOOK = `export async function resolve(specifier, context, next) {
  if (specifier === '@aws-sdk/client-sesv2') throw new Error('SES SDK requested');
  return next(specifier, context);
}`;

const SCRIPT = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOK)}));
const { default: Module } = await import('node:module');
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === '@aws-sdk/client-sesv2') throw new Error('SES SDK requested');
  return load.call(this, request, ...rest);
};
const steps = [];
const { EmailClient, Scope } = await import('blocks-kit');
const mail = new EmailClient(new Scope('lazy'), 'mail', { from: 'no-reply@example.com' });
steps.push('declared');
process.env.BLOCKS_EMAIL_IDENTITIES = JSON.stringify({ 'lazy/mail': 'arn:aws:ses:eu-west-1:123456789012:identity/no-reply@example.com' });
await mail.send({ to: 'ada@example.com', subject: 'Hi', text: '.' }).then(
  () => steps.push('sent'),
  (error) => steps.push('send failed: ' + error.message),
);
console.log(JSON.stringify(steps));
`;

describe('EmailClient (aws-runtime) cold start', () => {
  it('loads the SES SDK on the first send, not with the app', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--conditions=aws-runtime', '--input-type=module', '-e', SCRIPT], {
      cwd: projectRoot,
      env: { ...process.env, AWS_REGION: 'eu-west-1' },
      timeout: 60_000,
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual(['declared', 'send failed: SES SDK requested']);
  });
});
