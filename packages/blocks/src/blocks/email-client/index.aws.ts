/**
 * EmailClient under the `aws-runtime` condition (inside the Lambda): sends
 * with Amazon SES v2 as the identity its `cdk` variant granted and bound.
 */
import { readBinding } from '../../core/binding.js';
import type { Scope } from '../../core/scope.js';
import { EmailClientBlock, type EmailClientOptions } from './email-client.js';
import { EMAIL_IDENTITY_BINDING } from './identity-binding.js';
import { SesTransport } from './ses-transport.js';

export * from './public.js';

export class EmailClient extends EmailClientBlock {
  constructor(scope: Scope, id: string, options: EmailClientOptions) {
    super(scope, id, options, { transport: (block) => new SesTransport(block, readBinding(EMAIL_IDENTITY_BINDING, block)) }, 'on-first-use');
  }
}
