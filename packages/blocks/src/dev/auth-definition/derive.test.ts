import { describe, expect, it } from 'vitest';
import { deriveAuthDefinition } from './derive.js';

/**
 * Sign-in names and SMS settings read from hand-written auth stacks (the
 * synthesized fixtures are in auth-definition.test.ts): what the template
 * says, including a username pool that only an override produces.
 */

const stack = (pool: Record<string, unknown>) => ({
  root: {},
  auth: {
    Resources: {
      Pool: { Type: 'AWS::Cognito::UserPool', Properties: pool },
      Client: { Type: 'AWS::Cognito::UserPoolClient', Properties: {} },
    },
  },
});

describe('deriveAuthDefinition, sign-in names and SMS', () => {
  it('reads phone sign-in, phone verification, SMS MFA and SMS_OTP', () => {
    const { settings } = deriveAuthDefinition(
      stack({
        UsernameAttributes: ['phone_number'],
        AutoVerifiedAttributes: ['phone_number'],
        EnabledMfas: ['SMS_MFA'],
        MfaConfiguration: 'ON',
        Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'SMS_OTP'] } },
      }),
    );
    expect(settings).toMatchObject({
      usernameAttributes: ['phone_number'],
      autoVerifiedAttributes: ['phone_number'],
      mfaMode: 'ON',
      mfaMethods: ['SMS'],
      passwordlessSms: true,
      passwordlessEmail: false,
    });
  });

  it('reads a pool without username attributes as sign-in by username, and names its aliases', () => {
    const definition = deriveAuthDefinition(stack({ UsernameAttributes: [], AliasAttributes: ['email'], AutoVerifiedAttributes: ['email'] }));
    expect(definition.settings.usernameAttributes).toEqual([]);
    expect(definition.limits.map((limit) => limit.option)).toEqual(['sign-in by alias (email)']);
  });
});
