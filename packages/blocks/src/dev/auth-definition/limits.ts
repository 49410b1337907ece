/**
 * What the app's auth definition asks for that the local user pool does not
 * emulate, each with what local mode does instead. `npm run dev` prints these
 * once at start, so local mode never silently acts like a different pool.
 */
import type { JsonObject } from '../../core/safe-json.js';
import { objectAt, resourcesOfType, stringAt, stringsAt } from './template.js';
import type { AuthTemplates } from './synthesize.js';

export interface Limit {
  /** The option as written in defineAuth, e.g. `externalProviders.google`. */
  readonly option: string;
  /** What local mode does instead. */
  readonly instead: string;
}

const PROVIDER_OPTION: Record<string, string> = {
  Google: 'externalProviders.google',
  Facebook: 'externalProviders.facebook',
  LoginWithAmazon: 'externalProviders.loginWithAmazon',
  SignInWithApple: 'externalProviders.signInWithApple',
  SAML: 'externalProviders.saml',
  OIDC: 'externalProviders.oidc',
};

function providerLimits(auth: JsonObject): Limit[] {
  return resourcesOfType(auth, 'AWS::Cognito::UserPoolIdentityProvider').map(({ properties }) => {
    const type = stringAt(properties, 'ProviderType') ?? 'external';
    const name = stringAt(properties, 'ProviderName') ?? type;
    return {
      option: `${PROVIDER_OPTION[type] ?? 'externalProviders'} (${name} sign-in)`,
      instead: 'no redirect to the provider locally; sign up and sign in with email and a password in the Authenticator',
    };
  });
}

export function findLimits(templates: AuthTemplates): Limit[] {
  const [pool] = resourcesOfType(templates.auth, 'AWS::Cognito::UserPool');
  const [client] = resourcesOfType(templates.auth, 'AWS::Cognito::UserPoolClient');
  const poolProps = pool?.properties ?? {};
  const clientProps = client?.properties ?? {};
  const limits = providerLimits(templates.auth);

  if (resourcesOfType(templates.auth, 'AWS::Cognito::UserPoolDomain').length > 0) {
    limits.push({ option: 'the hosted UI domain (OAuth)', instead: 'no hosted UI locally; the Authenticator signs in against the local pool directly' });
  }
  const usernameAttributes = stringsAt(poolProps, 'UsernameAttributes');
  // Username sign-in (no UsernameAttributes, a user-pool override in backend.ts) is emulated; its aliases are not.
  const aliases = stringsAt(poolProps, 'AliasAttributes');
  if (usernameAttributes.length === 0 && aliases.length > 0) {
    limits.push({
      option: `sign-in by alias (${aliases.join(', ')})`,
      instead: 'users sign in with their username only',
    });
  }
  for (const trigger of Object.keys(objectAt(poolProps, 'LambdaConfig'))) {
    limits.push({
      option: `triggers.${trigger.charAt(0).toLowerCase()}${trigger.slice(1)}`,
      instead: 'the Lambda trigger does not run locally; the local pool goes on as if it allowed the request unchanged',
    });
  }
  const security = stringAt(objectAt(poolProps, 'UserPoolAddOns'), 'AdvancedSecurityMode');
  if (security && security !== 'OFF') {
    limits.push({ option: `advanced security (${security})`, instead: 'no risk checks or adaptive authentication locally' });
  }
  const firstFactors = stringsAt(objectAt(objectAt(poolProps, 'Policies'), 'SignInPolicy'), 'AllowedFirstAuthFactors');
  if (firstFactors.includes('WEB_AUTHN')) {
    limits.push({ option: 'loginWith.webAuthn (passkeys)', instead: 'no passkey sign-in locally; use a password or an email code' });
  }
  const prevent = stringAt(clientProps, 'PreventUserExistenceErrors');
  if (prevent !== undefined && prevent !== 'ENABLED') {
    limits.push({ option: `PreventUserExistenceErrors ${prevent}`, instead: 'the local pool always answers unknown names like wrong passwords' });
  }
  const recovery = objectAt(poolProps, 'AccountRecoverySetting').RecoveryMechanisms;
  if (Array.isArray(recovery) && JSON.stringify(recovery).includes('phone')) {
    limits.push({ option: 'accountRecovery by phone', instead: 'password reset codes go to the verified email, by SMS only to users without one' });
  }
  return limits;
}

/** The startup message for `limits`, or undefined when everything is emulated. */
export function formatLimits(limits: readonly Limit[], resourceFile = 'amplify/auth/resource.ts'): string | undefined {
  if (limits.length === 0) return undefined;
  return [
    `[blocks] ${resourceFile} uses options the local user pool does not emulate:`,
    ...limits.map((limit) => `  - ${limit.option}: ${limit.instead}.`),
    '  Deploy a sandbox (npm run sandbox) to try them against real Cognito.',
  ].join('\n');
}
