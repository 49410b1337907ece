import type { CfnTemplate } from './synthesize';

/**
 * Builds the amplify_outputs.json that `ampx` would write after deploying the
 * synthesized root template, with each CloudFormation token replaced by a
 * deterministic stand-in (no deployment here). Enough to prove the frontend's
 * configuration path: auth ids and custom.blocks_api_url.
 */
export function outputsFromSynth(root: CfnTemplate): Record<string, unknown> {
  const value = (name: string): string => resolve(root.Outputs?.[name]?.Value);
  const custom = JSON.parse(value('customOutputs')) as Record<string, unknown>;
  return {
    version: '1.4',
    auth: {
      aws_region: 'us-east-1',
      user_pool_id: value('userPoolId'),
      user_pool_client_id: value('webClientId'),
      identity_pool_id: value('identityPoolId'),
      username_attributes: JSON.parse(value('usernameAttributes')) as string[],
      standard_required_attributes: JSON.parse(value('signupAttributes')) as string[],
      user_verification_types: JSON.parse(value('verificationMechanisms')) as string[],
      password_policy: { min_length: Number(value('passwordPolicyMinLength')) },
      unauthenticated_identities_enabled: value('allowUnauthenticatedIdentities') === 'true',
      mfa_configuration: 'NONE',
      groups: [],
    },
    ...custom,
  };
}

/** Stand-ins shaped like the real values, so URL and id parsing still work. */
function resolve(node: unknown): string {
  if (typeof node === 'string') return node;
  if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if ('Fn::Join' in record) {
      const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(separator);
    }
    if ('Ref' in record) return record.Ref === 'AWS::Region' ? 'us-east-1' : 'synthesized-ref';
    if ('Fn::GetAtt' in record) {
      const [resource, attribute] = record['Fn::GetAtt'] as [string, string];
      if (/UserPoolAppClient/.test(attribute)) return 'synthclientid0000000000000';
      if (/UserPool/.test(attribute)) return 'us-east-1_SYNTH0000';
      if (/IdentityPool/.test(attribute)) return 'us-east-1:00000000-0000-0000-0000-000000000000';
      if (/ApiEndpoint|Api/.test(attribute) || /blocks/i.test(resource)) return 'https://synth0api.execute-api.us-east-1.amazonaws.com';
      return `synthesized-${attribute}`;
    }
  }
  throw new Error(`Cannot resolve ${JSON.stringify(node)}`);
}
