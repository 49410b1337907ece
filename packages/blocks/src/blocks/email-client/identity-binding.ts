/**
 * How the deployed function learns which SES identity each EmailClient was
 * granted: the `cdk` variant binds the identity's ARN, the `aws-runtime`
 * variant reads it back and refuses to send as any other identity (a
 * sender changed in code but not yet deployed fails with a clear message
 * rather than an SES AccessDenied). No SDK or CDK imports: both load it.
 */
import { defineBinding } from '../../core/binding.js';

export const EMAIL_IDENTITY_BINDING = defineBinding('EmailClient', 'BLOCKS_EMAIL_IDENTITIES', 'SES identity ARN');

/** The identity (address or domain) an SES identity ARN names: `arn:aws:ses:r:a:identity/<identity>`. */
export function identityOfArn(arn: string): string | undefined {
  const match = /^arn:[^:]+:ses:[^:]*:[^:]*:identity\/(.+)$/.exec(arn);
  return match?.[1]?.toLowerCase();
}
