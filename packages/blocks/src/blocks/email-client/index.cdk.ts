/**
 * EmailClient under the `cdk` condition: creates nothing (the SES identity
 * is verified outside the app, see README.md), but lets the API function
 * send only as that identity: `ses:SendEmail` on exactly its ARN, in the
 * stack's account and region. The ARN is bound so the runtime can refuse a
 * sender that the deployment did not grant.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { CloudBlock, ProvisionContext } from '../../cdk/provision.js';
import type { Scope } from '../../core/scope.js';
import { EmailClientBlock, type EmailClientOptions } from './email-client.js';
import { EMAIL_IDENTITY_BINDING } from './identity-binding.js';

export * from './public.js';

/** The one action SesTransport uses (SendEmail with Simple content; no raw MIME). */
const SEND_ACTIONS = ['ses:SendEmail'] as const;

export class EmailClient extends EmailClientBlock implements CloudBlock {
  constructor(scope: Scope, id: string, options: EmailClientOptions) {
    super(scope, id, options, {
      transport: (block) => ({
        send: () =>
          Promise.reject(
            new Error(`EmailClient "${block.scope.name}/${block.id}" sends no mail during CDK synthesis; call it from API methods, not at module load.`),
          ),
      }),
    });
  }

  provision(context: ProvisionContext): void {
    const identityArn = Stack.of(context.construct).formatArn({
      service: 'ses',
      resource: 'identity',
      resourceName: this.identity,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    context.grant(SEND_ACTIONS, [identityArn]);
    context.bind(EMAIL_IDENTITY_BINDING, identityArn);
  }
}
