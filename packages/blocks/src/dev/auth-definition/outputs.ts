/**
 * The `auth` section of the local amplify_outputs, built from the same stack
 * outputs ampx turns into the deployed file (and the same way: see
 * @aws-amplify/client-config's AuthClientConfigContributor), with the local
 * pool's ids. Options the local pool does not emulate (hosted UI, identity
 * pool, passkeys) are left out so the Authenticator does not offer them.
 */
import type { AuthDefinition } from './derive.js';

export interface LocalPoolIds {
  readonly userPoolId: string;
  readonly clientId: string;
}

const LOCAL_MFA_METHODS = new Set(['TOTP', 'EMAIL', 'SMS']);

function parsed<T>(text: string | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

const MFA_CONFIGURATION: Record<string, string> = { OFF: 'NONE', OPTIONAL: 'OPTIONAL', ON: 'REQUIRED' };

export function localAuthOutputs(definition: AuthDefinition, ids: LocalPoolIds): Record<string, unknown> {
  const out = definition.outputs;
  const requirements = parsed<string[]>(out.passwordPolicyRequirements, []);
  const auth: Record<string, unknown> = {
    user_pool_id: ids.userPoolId,
    aws_region: 'us-east-1',
    user_pool_client_id: ids.clientId,
    mfa_methods: parsed<string[]>(out.mfaTypes, []).filter((method) => LOCAL_MFA_METHODS.has(method)),
    standard_required_attributes: parsed<string[]>(out.signupAttributes, ['email']),
    username_attributes: parsed<string[]>(out.usernameAttributes, ['email']),
    user_verification_types: parsed<string[]>(out.verificationMechanisms, ['email']),
    groups: parsed<unknown[]>(out.groups, []),
    mfa_configuration: MFA_CONFIGURATION[out.mfaConfiguration ?? 'OFF'] ?? 'NONE',
    password_policy: {
      min_length: Number.parseInt(out.passwordPolicyMinLength ?? '8', 10),
      require_lowercase: requirements.includes('REQUIRES_LOWERCASE'),
      require_numbers: requirements.includes('REQUIRES_NUMBERS'),
      require_symbols: requirements.includes('REQUIRES_SYMBOLS'),
      require_uppercase: requirements.includes('REQUIRES_UPPERCASE'),
    },
    // No local identity pool: signed-in calls use the ID token, guests have no AWS credentials.
    unauthenticated_identities_enabled: false,
  };
  const passwordless = parsed<{ emailOtpEnabled?: boolean; smsOtpEnabled?: boolean; preferredChallenge?: string } | undefined>(
    out.passwordlessOptions,
    undefined,
  );
  if (passwordless) {
    const preferred = passwordless.preferredChallenge;
    auth.passwordless = {
      email_otp_enabled: passwordless.emailOtpEnabled === true,
      sms_otp_enabled: passwordless.smsOtpEnabled === true,
      ...((preferred === 'EMAIL_OTP' || preferred === 'SMS_OTP') && { preferred_challenge: preferred }),
    };
  }
  return auth;
}
