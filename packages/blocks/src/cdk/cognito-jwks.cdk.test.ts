/**
 * What createBlocksBackend adds for a Cognito-protected backend: one custom
 * resource that reads the pool's keys at deploy time (property: the pool
 * id), one provider function whose role has no permission beyond its logs,
 * and the attribute as COGNITO_JWKS on the API function and the worker.
 * Synthesised in process with bundling skipped, and checked with cdk-nag.
 */
import { fileURLToPath } from 'node:url';
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { synthesizeFixture, type SynthesizedFixture } from './testing/synthesize-fixture.js';

vi.mock('blocks-kit', async () => (await import('../testing/kit-variant.js')).kitUnder('cdk'));

// An app with a worker (a queued job) beside the API, so both functions are checked.
const FIXTURE = fileURLToPath(new URL('../blocks/async-job/testing/cdk-fixture-app.ts', import.meta.url));
const USER_POOL_ID = 'eu-west-1_Fixture1';

type Resource = { Type: string; Properties: Record<string, unknown> };
let withCognito: SynthesizedFixture;
let withoutCognito: SynthesizedFixture;

beforeAll(async () => {
  withCognito = await synthesizeFixture(FIXTURE, { mode: 'production', cognito: { userPoolId: USER_POOL_ID, clientId: 'fixtureclient' } });
  withoutCognito = await synthesizeFixture(FIXTURE, { mode: 'production' });
}, 90_000);

afterAll(async () => {
  await withCognito?.cleanup();
  await withoutCognito?.cleanup();
});

const resources = (template: Template): Record<string, Resource> => template.toJSON().Resources as Record<string, Resource>;
const ofType = (template: Template, type: string): [string, Resource][] =>
  Object.entries(resources(template)).filter(([, resource]) => resource.Type === type);
const variables = (fn: Resource): Record<string, unknown> => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
const blocksFunctions = (template: Template): Resource[] =>
  ofType(template, 'AWS::Lambda::Function')
    .map(([, fn]) => fn)
    .filter((fn) => /\.(handler|worker)$/.test(String(fn.Properties.Handler)) && !String(fn.Properties.Handler).startsWith('__entrypoint__'));

describe('the deploy-time Cognito key set', () => {
  it('is one custom resource, keyed by the pool id, whose attribute both Blocks functions get as COGNITO_JWKS', () => {
    const { template } = withCognito;
    const keySets = ofType(template, 'Custom::BlocksCognitoJwks');
    expect(keySets).toHaveLength(1);
    const [keySetId, keySet] = keySets[0]!;
    expect(keySet.Properties.UserPoolId).toBe(USER_POOL_ID);
    const functions = blocksFunctions(template);
    expect(functions.map((fn) => String(fn.Properties.Handler).split('.').pop()).sort()).toEqual(['handler', 'worker']);
    for (const fn of functions) expect(variables(fn).COGNITO_JWKS).toEqual({ 'Fn::GetAtt': [keySetId, 'Jwks'] });
  });

  it('runs on one provider function whose role may do nothing but write its logs', () => {
    const { template } = withCognito;
    const [, keySet] = ofType(template, 'Custom::BlocksCognitoJwks')[0]!;
    const providerId = (keySet.Properties.ServiceToken as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const provider = resources(template)[providerId]!;
    expect(provider.Type).toBe('AWS::Lambda::Function');
    expect(provider.Properties.Runtime).toBe('nodejs24.x');
    expect(provider.Properties.Timeout).toBeLessThanOrEqual(60);
    const roleId = (provider.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const role = resources(template)[roleId]!;
    expect(role.Properties.Policies).toBeUndefined();
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toMatch(/service-role\/AWSLambdaBasicExecutionRole"/);
    expect(JSON.stringify(role.Properties.ManagedPolicyArns?.toString())).not.toMatch(/Full|Admin/);
    // No other policy names the provider's role.
    const attached = ofType(template, 'AWS::IAM::Policy').filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(roleId));
    expect(attached).toEqual([]);
  });

  it('is absent without Cognito, and nothing else changes in the functions', () => {
    const { template } = withoutCognito;
    expect(ofType(template, 'Custom::BlocksCognitoJwks')).toEqual([]);
    for (const fn of blocksFunctions(template)) expect(variables(fn)).not.toHaveProperty('COGNITO_JWKS');
    expect(ofType(template, 'AWS::Lambda::Function')).toHaveLength(2);
  });
});
