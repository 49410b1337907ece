import { describe, expect, it } from 'vitest';
import { findLimits, formatLimits } from './limits.js';

/**
 * Every option the local pool does not emulate is named, from a hand-written
 * auth stack (the Google case is synthesized in auth-definition.test.ts).
 */

const stack = (pool: Record<string, unknown>, client: Record<string, unknown> = {}) => ({
  root: {},
  auth: {
    Resources: {
      Pool: { Type: 'AWS::Cognito::UserPool', Properties: { UsernameAttributes: ['email'], ...pool } },
      Client: { Type: 'AWS::Cognito::UserPoolClient', Properties: { PreventUserExistenceErrors: 'ENABLED', ...client } },
    },
  },
});

describe('findLimits', () => {
  it('names nothing for the shipped email sign-in', () => {
    expect(findLimits(stack({}))).toEqual([]);
  });

  it('names nothing for email and phone sign-in with SMS codes, which the local pool emulates', () => {
    const phone = stack({
      UsernameAttributes: ['email', 'phone_number'],
      Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'SMS_OTP'] } },
      EnabledMfas: ['SMS_MFA', 'SOFTWARE_TOKEN_MFA'],
    });
    expect(findLimits(phone)).toEqual([]);
  });

  it('names triggers, advanced security, passkeys, username sign-in, legacy existence errors and phone recovery', () => {
    const limits = findLimits(
      stack(
        {
          UsernameAttributes: [],
          AliasAttributes: ['preferred_username'],
          LambdaConfig: { PreSignUp: 'arn', PostConfirmation: 'arn' },
          UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
          Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN', 'SMS_OTP'] } },
          EnabledMfas: ['SMS_MFA', 'SOFTWARE_TOKEN_MFA'],
          AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_phone_number', Priority: 1 }] },
        },
        { PreventUserExistenceErrors: 'LEGACY' },
      ),
    );
    expect(limits.map((limit) => limit.option)).toEqual([
      'sign-in by alias (preferred_username)',
      'triggers.preSignUp',
      'triggers.postConfirmation',
      'advanced security (ENFORCED)',
      'loginWith.webAuthn (passkeys)',
      'PreventUserExistenceErrors LEGACY',
      'accountRecovery by phone',
    ]);
    expect(formatLimits(limits)).toContain(
      '  - triggers.preSignUp: the Lambda trigger does not run locally; the local pool goes on as if it allowed the request unchanged.',
    );
  });
});
