import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateClientConfig } from '@aws-amplify/client-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveAuthDefinition, type AuthDefinition } from './derive.js';
import { formatLimits } from './limits.js';
import { loadAuthDefinition } from './load.js';
import { localAuthOutputs } from './outputs.js';
import { synthesizeAuth, type AuthTemplates } from './synthesize.js';

/**
 * The local pool and outputs follow a fork's own backend: a fixture with a
 * second group, a 12-character policy (a user-pool override in backend.ts),
 * a required preferred username, optional TOTP and email-code sign-in,
 * synthesized offline like ampx does. And a Google provider, which local mode
 * cannot emulate, is named at startup.
 */

const fixtures = path.resolve(import.meta.dirname, '../../../../../tests/fixtures');
const mfaApp = path.join(fixtures, 'auth-mfa-app');
let templates: AuthTemplates;
let definition: AuthDefinition;

beforeAll(async () => {
  templates = await synthesizeAuth(mfaApp, path.join(mfaApp, 'amplify/backend.ts'));
  definition = deriveAuthDefinition(templates);
});

describe('the derived definition', () => {
  it('gives the local pool the definition’s settings', () => {
    expect(definition.settings).toEqual({
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: false },
      requiredAttributes: ['email', 'preferred_username'],
      customAttributes: [],
      groups: [
        { name: 'admins', precedence: 0 },
        { name: 'editors', precedence: 1 },
      ],
      tokenValidity: { idSeconds: 3600, accessSeconds: 3600, refreshSeconds: 30 * 86400 },
      mfaMode: 'OPTIONAL',
      mfaMethods: ['TOTP'],
      passwordlessEmail: true,
      passwordlessSms: false,
      usernameAttributes: ['email'],
      autoVerifiedAttributes: ['email'],
    });
    expect(definition.limits).toEqual([]);
  });

  it('matches the outputs Amplify would publish for the same synthesis, in every field both have', async () => {
    await expectSameOutputs(templates, definition);
  });
});

describe('a definition that signs in by email or phone, with SMS codes', () => {
  let phoneTemplates: AuthTemplates;
  let phoneDefinition: AuthDefinition;
  beforeAll(async () => {
    const phoneApp = path.join(fixtures, 'auth-phone-app');
    phoneTemplates = await synthesizeAuth(phoneApp, path.join(phoneApp, 'amplify/backend.ts'));
    phoneDefinition = deriveAuthDefinition(phoneTemplates);
  });

  it('gives the local pool phone sign-in, SMS MFA and SMS_OTP, with nothing left unemulated', () => {
    expect(phoneDefinition.settings).toMatchObject({
      requiredAttributes: ['email', 'phone_number'],
      usernameAttributes: ['email', 'phone_number'],
      autoVerifiedAttributes: ['email', 'phone_number'],
      mfaMode: 'OPTIONAL',
      mfaMethods: ['TOTP', 'SMS'],
      passwordlessEmail: false,
      passwordlessSms: true,
    });
    expect(phoneDefinition.limits).toEqual([]);
  });

  it('matches the deployed outputs, username attributes and SMS included', async () => {
    const local = await expectSameOutputs(phoneTemplates, phoneDefinition);
    expect(local).toMatchObject({
      username_attributes: ['email', 'phone_number'],
      user_verification_types: ['email', 'phone_number'],
      mfa_methods: ['SMS', 'TOTP'],
      passwordless: { email_otp_enabled: false, sms_otp_enabled: true },
    });
  }, 60_000);
});

/** The local outputs equal the deployed ones in every field both have; returns the local ones. */
async function expectSameOutputs(source: AuthTemplates, derived: AuthDefinition): Promise<Record<string, unknown>> {
  const local = localAuthOutputs(derived, { userPoolId: 'local_blocks', clientId: 'local-client' });
  const deployed = (await deployedOutputs(source.root)).auth as Record<string, unknown>;
  // Ids differ by design; local mode has no identity pool and no hosted UI (see outputs.ts).
  const localOnly = new Set(['user_pool_id', 'user_pool_client_id', 'identity_pool_id', 'unauthenticated_identities_enabled', 'oauth']);
  const shared = Object.keys(deployed).filter((key) => !localOnly.has(key));
  expect(shared).toEqual(
    expect.arrayContaining(['password_policy', 'standard_required_attributes', 'username_attributes', 'groups', 'mfa_methods', 'mfa_configuration', 'passwordless']),
  );
  for (const key of shared) expect.soft(local[key], key).toEqual(deployed[key]);
  expect(Object.keys(local).filter((key) => !(key in deployed) && !localOnly.has(key))).toEqual([]);
  return local;
}

/**
 * amplify_outputs.json as `ampx generate outputs` builds it, by Amplify's own
 * generator, from a CloudFormation client that answers with the synthesized
 * root stack (its metadata and outputs) instead of a deployed one.
 */
/** What CloudFormation would resolve a reference to; the local pool runs in us-east-1 as the default region. */
function deployedValue(key: string, value: unknown): string {
  return JSON.stringify(value) === '{"Ref":"AWS::Region"}' ? 'us-east-1' : `deployed-${key}`;
}

async function deployedOutputs(root: AuthTemplates['root']): Promise<Record<string, unknown>> {
  const outputs = Object.entries((root.Outputs ?? {}) as Record<string, { Value: unknown }>).map(([key, output]) => ({
    OutputKey: key,
    OutputValue: typeof output.Value === 'string' ? output.Value : deployedValue(key, output.Value),
  }));
  const cloudFormation = {
    send: async (command: object) => {
      const name = command.constructor.name;
      if (name === 'GetTemplateSummaryCommand') return { Metadata: JSON.stringify(root.Metadata) };
      if (name === 'DescribeStacksCommand') return { Stacks: [{ Outputs: outputs, StackStatus: 'CREATE_COMPLETE' }] };
      throw new Error(`unexpected ${name}`);
    },
  };
  const clients = {
    getCloudFormationClient: () => cloudFormation,
    getS3Client: () => ({}),
    getAmplifyClient: () => ({}),
  } as unknown as Parameters<typeof generateClientConfig>[2];
  return (await generateClientConfig({ stackName: 'synthesized' }, '1.4', clients)) as unknown as Record<string, unknown>;
}

describe('options the local pool cannot emulate', () => {
  let cacheDir: string;
  const saved = process.env.BLOCKS_AUTH_CACHE_DIR;
  beforeAll(async () => {
    cacheDir = await mkdtemp(path.join(tmpdir(), 'blocks-auth-cache-'));
    process.env.BLOCKS_AUTH_CACHE_DIR = cacheDir;
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.BLOCKS_AUTH_CACHE_DIR;
    else process.env.BLOCKS_AUTH_CACHE_DIR = saved;
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('are named once at startup, with what local mode does instead; the second start reads the cache', async () => {
    const googleApp = path.join(fixtures, 'auth-google-app');
    const first = await loadAuthDefinition(googleApp);
    if (first.kind !== 'derived') throw new Error(`not derived: ${JSON.stringify(first)}`);
    expect(first.fromCache).toBe(false);
    expect(formatLimits(first.definition.limits)).toBe(
      [
        '[blocks] amplify/auth/resource.ts uses options the local user pool does not emulate:',
        '  - externalProviders.google (Google sign-in): no redirect to the provider locally; sign up and sign in with email and a password in the Authenticator.',
        '  - the hosted UI domain (OAuth): no hosted UI locally; the Authenticator signs in against the local pool directly.',
        '  Deploy a sandbox (npm run sandbox) to try them against real Cognito.',
      ].join('\n'),
    );
    const second = await loadAuthDefinition(googleApp);
    expect(second).toMatchObject({ kind: 'derived', fromCache: true, hash: first.hash });
    expect(formatLimits([])).toBeUndefined();
    // One cold synthesis (~12 s idle): room for a loaded machine, like the hooks' synthesis.
  }, 120_000);
});
