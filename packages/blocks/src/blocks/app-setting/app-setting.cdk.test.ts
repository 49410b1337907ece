/**
 * What createBlocksBackend deploys for AppSettings: a String parameter for a
 * setting with a default, a reserved name for the others (secrets are put by
 * hand as SecureStrings), and a grant to GetParameter exactly those names.
 * Synthesised in process with bundling skipped, and checked with cdk-nag.
 */
import { fileURLToPath } from 'node:url';
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { synthesizeFixture, type SynthesizedFixture } from '../../cdk/testing/synthesize-fixture.js';

vi.mock('blocks-kit', async () => (await import('../../testing/kit-variant.js')).kitUnder('cdk'));

const FIXTURE = fileURLToPath(new URL('./testing/cdk-fixture-app.ts', import.meta.url));
const PREFIX = '/aws-blocks/BlocksFixture/fixture-settings';

let fixture: SynthesizedFixture;
let template: Template;

beforeAll(async () => {
  fixture = await synthesizeFixture(FIXTURE, { mode: 'sandbox' });
  ({ template } = fixture);
}, 60_000);

afterAll(() => fixture.cleanup());

const statements = () => fixture.statements();

describe('createBlocksBackend with AppSettings', () => {
  it('creates a String parameter, holding the default, only for the setting that has one', () => {
    template.resourceCountIs('AWS::SSM::Parameter', 1);
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: `${PREFIX}/currency`, Type: 'String', Value: 'EUR' });
    template.hasResource('AWS::SSM::Parameter', { DeletionPolicy: 'Delete' });
  });

  it('lets the handler GetParameter exactly each setting\'s parameter, and nothing else of SSM or KMS', () => {
    const ssm = statements().filter((s) => /ssm:|kms:/.test(JSON.stringify(s.Action)));
    expect(ssm).toHaveLength(1);
    expect(ssm[0]!.Action).toBe('ssm:GetParameter');
    const resources = ssm[0]!.Resource as unknown[];
    expect(resources).toHaveLength(3);
    const [parameterId] = Object.keys(template.findResources('AWS::SSM::Parameter'));
    const arn = (name: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:parameter${name}`]],
    });
    expect(resources).toContainEqual(arn(`${PREFIX}/webhook-secret`));
    expect(resources).toContainEqual(arn(`${PREFIX}/region`));
    expect(JSON.stringify(resources.find((r) => JSON.stringify(r).includes(parameterId!)))).toContain(`{"Ref":"${parameterId}"}`);
    for (const statement of statements()) {
      expect(JSON.stringify(statement.Action)).not.toContain('*');
      expect(statement.Resource).not.toBe('*');
    }
  });

  it('binds each setting to its parameter name, and puts no secret value anywhere in the template', () => {
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    const env = (fn!.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
    expect(JSON.parse(String(env.BLOCKS_APP_SETTINGS))).toEqual({
      'fixture-settings/webhook-secret': `${PREFIX}/webhook-secret`,
      'fixture-settings/currency': `${PREFIX}/currency`,
      'fixture-settings/region': `${PREFIX}/region`,
    });
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toMatch(/SecureString/);
    expect(Object.values(template.findResources('AWS::SSM::Parameter')).map((p) => (p.Properties as { Name: string }).Name)).not.toContain(`${PREFIX}/webhook-secret`);
  });
});
