/**
 * What createBlocksBackend deploys for AuthBasic: its tables, one generated
 * secret each, and a grant to read exactly those secrets. Synthesised in
 * process with bundling skipped, and checked with cdk-nag.
 */
import { fileURLToPath } from 'node:url';
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BlocksBackend } from '../../cdk/blocks-backend.js';
import { synthesizeFixture, type SynthesizedFixture } from '../../cdk/testing/synthesize-fixture.js';

// The fixture app imports blocks-kit; synthesis sees the cdk variants, as under `--conditions=cdk`.
vi.mock('blocks-kit', async () => (await import('../../testing/kit-variant.js')).kitUnder('cdk'));

const FIXTURE = fileURLToPath(new URL('./testing/cdk-fixture-app.ts', import.meta.url));

let fixture: SynthesizedFixture;
let backend: BlocksBackend;
let template: Template;

beforeAll(async () => {
  fixture = await synthesizeFixture(FIXTURE);
  ({ backend, template } = fixture);
}, 60_000);

afterAll(() => fixture.cleanup());

const secretIds = (): string[] => Object.keys(template.findResources('AWS::SecretsManager::Secret'));

const statements = () => fixture.statements();

describe('createBlocksBackend with AuthBasic', () => {
  it('discovers both AuthBasic Blocks and their stores', () => {
    const declared = (kind: string): string[] =>
      backend.app.resources.filter((resource) => resource.kind === kind).map((resource) => `${resource.scope.name}/${resource.id}`);
    expect(declared('AuthBasic')).toEqual(['fixture-auth/auth', 'fixture-auth/staff']);
    expect(declared('KVStore').sort()).toEqual(
      ['notes', ...['auth', 'staff'].flatMap((id) => ['codes', 'sessions', 'throttle', 'users'].map((store) => `${id}-${store}`))]
        .map((id) => `fixture-auth/${id}`)
        .sort(),
    );
    template.resourceCountIs('AWS::DynamoDB::Table', 9);
  });

  it('generates one secret per AuthBasic at deploy time; no value is in the template', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    template.allResourcesProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
    for (const secret of Object.values(template.findResources('AWS::SecretsManager::Secret'))) {
      expect(secret.Properties).not.toHaveProperty('SecretString');
      expect(secret.DeletionPolicy).toBe('Retain');
    }
  });

  it('lets the handler read exactly those secrets, and only with GetSecretValue', () => {
    const secretStatements = statements().filter((s) => JSON.stringify(s.Action).includes('secretsmanager:'));
    expect(secretStatements).toHaveLength(1);
    expect(secretStatements[0]!.Action).toBe('secretsmanager:GetSecretValue');
    expect(secretStatements[0]!.Resource).toEqual(secretIds().map((id) => ({ Ref: id })));
    for (const statement of statements()) {
      expect(JSON.stringify(statement.Action)).not.toContain('*');
      expect(statement.Resource).not.toBe('*');
    }
  });

  it('tells the handler which secret belongs to which AuthBasic', () => {
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    const env = (fn!.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
    const mapping = JSON.stringify(env.BLOCKS_AUTH_BASIC_SECRETS);
    expect(mapping).toContain('fixture-auth/auth');
    expect(mapping).toContain('fixture-auth/staff');
    for (const id of secretIds()) expect(mapping).toContain(`"Ref":"${id}"`);
    expect(JSON.stringify(env.BLOCKS_KV_TABLES)).toContain('fixture-auth/auth-sessions');
  });
});
