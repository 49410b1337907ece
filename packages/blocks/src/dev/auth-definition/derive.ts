/**
 * Turns the synthesized auth templates into what local mode needs: the local
 * pool's settings, read from the same user pool, app client and groups that
 * CloudFormation would create, the auth outputs ampx would publish, and the
 * options the local pool cannot emulate (see limits.ts).
 */
import type { JsonObject } from '../../core/safe-json.js';
import type { MfaMethod, PoolSettings, SignInAttribute } from '../../local/user-pool/settings.js';
import { findLimits, type Limit } from './limits.js';
import { literalOutputs, numberAt, objectAt, resourcesOfType, stringAt, stringsAt } from './template.js';
import type { AuthTemplates } from './synthesize.js';

export interface AuthDefinition {
  readonly version: 1;
  /** The auth outputs of the root stack with literal values (ids are deploy-time references and left out). */
  readonly outputs: Readonly<Record<string, string>>;
  readonly settings: PoolSettings;
  readonly limits: readonly Limit[];
}

/** Cognito's standard attributes; any other name in the schema is a custom one. */
const STANDARD_ATTRIBUTES = new Set([
  'address', 'birthdate', 'email', 'family_name', 'gender', 'given_name', 'locale', 'middle_name', 'name',
  'nickname', 'phone_number', 'picture', 'preferred_username', 'profile', 'updated_at', 'website', 'zoneinfo',
  'sub', 'email_verified', 'phone_number_verified',
]);

const UNIT_SECONDS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

function validity(client: JsonObject, field: string, unitKey: string, fallbackUnit: string, fallback: number): number {
  const amount = numberAt(client, field);
  if (amount === undefined) return fallback;
  const unit = stringAt(objectAt(client, 'TokenValidityUnits'), unitKey) ?? fallbackUnit;
  return amount * (UNIT_SECONDS[unit] ?? UNIT_SECONDS[fallbackUnit] ?? 1);
}

function single(templates: AuthTemplates, type: string): JsonObject {
  const [found, ...rest] = resourcesOfType(templates.auth, type);
  if (!found || rest.length > 0) throw new Error(`Expected one ${type} in the auth stack, found ${rest.length + (found ? 1 : 0)}`);
  return found.properties;
}

export function deriveAuthDefinition(templates: AuthTemplates): AuthDefinition {
  const pool = single(templates, 'AWS::Cognito::UserPool');
  const client = single(templates, 'AWS::Cognito::UserPoolClient');
  const policy = objectAt(objectAt(pool, 'Policies'), 'PasswordPolicy');
  const schema = Array.isArray(pool.Schema) ? pool.Schema.filter((x): x is JsonObject => typeof x === 'object' && x !== null) : [];
  const named = schema.flatMap((entry) => {
    const name = stringAt(entry, 'Name');
    return name ? [{ name, required: entry.Required === true }] : [];
  });
  const enabledMfas = stringsAt(pool, 'EnabledMfas');
  const mfaMethods: MfaMethod[] = [];
  if (enabledMfas.includes('SOFTWARE_TOKEN_MFA')) mfaMethods.push('TOTP');
  if (enabledMfas.includes('EMAIL_OTP')) mfaMethods.push('EMAIL');
  if (enabledMfas.includes('SMS_MFA')) mfaMethods.push('SMS');
  const signInAttributes = (names: string[]): SignInAttribute[] =>
    names.filter((name): name is SignInAttribute => name === 'email' || name === 'phone_number');
  const mfaConfiguration = stringAt(pool, 'MfaConfiguration');
  const usernameAttributes = signInAttributes(stringsAt(pool, 'UsernameAttributes'));
  const firstFactors = stringsAt(objectAt(objectAt(pool, 'Policies'), 'SignInPolicy'), 'AllowedFirstAuthFactors');

  const settings: PoolSettings = {
    passwordPolicy: {
      minLength: numberAt(policy, 'MinimumLength') ?? 8,
      requireLowercase: policy.RequireLowercase === true,
      requireUppercase: policy.RequireUppercase === true,
      requireDigits: policy.RequireNumbers === true,
      requireSymbols: policy.RequireSymbols === true,
    },
    requiredAttributes: named.filter((a) => a.required && STANDARD_ATTRIBUTES.has(a.name)).map((a) => a.name),
    customAttributes: named.filter((a) => !STANDARD_ATTRIBUTES.has(a.name)).map((a) => `custom:${a.name}`),
    groups: resourcesOfType(templates.auth, 'AWS::Cognito::UserPoolGroup')
      .flatMap(({ properties }) => {
        const name = stringAt(properties, 'GroupName');
        const precedence = numberAt(properties, 'Precedence');
        return name ? [{ name, ...(precedence !== undefined && { precedence }) }] : [];
      })
      .sort((a, b) => a.name.localeCompare(b.name)),
    tokenValidity: {
      idSeconds: validity(client, 'IdTokenValidity', 'IdToken', 'hours', 3600),
      accessSeconds: validity(client, 'AccessTokenValidity', 'AccessToken', 'hours', 3600),
      refreshSeconds: validity(client, 'RefreshTokenValidity', 'RefreshToken', 'days', 30 * 86400),
    },
    mfaMode: mfaConfiguration === 'ON' || mfaConfiguration === 'OPTIONAL' ? mfaConfiguration : 'OFF',
    mfaMethods,
    passwordlessEmail: firstFactors.includes('EMAIL_OTP'),
    passwordlessSms: firstFactors.includes('SMS_OTP'),
    // None: sign-in by username (a user-pool override; defineAuth always sets them).
    usernameAttributes,
    autoVerifiedAttributes: signInAttributes(stringsAt(pool, 'AutoVerifiedAttributes')),
  };
  return { version: 1, outputs: literalOutputs(templates.root), settings, limits: findLimits(templates) };
}
