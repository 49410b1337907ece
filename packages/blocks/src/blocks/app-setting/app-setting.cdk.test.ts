/**
 * What createBlocksBackend deploys for AppSettings: a String parameter for a
 * setting with a default, a reserved name for the others (secrets are put by
 * hand as SecureStrings), and a grant to GetParameter exactly those names.
 * Synthesised in process with bundling skipped, and checked with cdk-nag.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBlocksBackend } from '../../cdk/blocks-backend.js';

vi.mock('blocks-kit', async () => (await import('../../testing/kit-variant.js')).kitUnder('cdk'));

const FIXTURE = fileURLToPath(new URL('./testing/cdk-fixture-app.ts', import.meta.url));
const PREFIX = '/aws-blocks/SettingsFixture/fixture-settings';

type Statement = { Action: string | string[]; Resource: unknown };

let projectRoot: string;
let template: Template;

beforeAll(async () => {
  projectRoot = await mkdtemp(path.join(tmpdir(), 'blocks-setting-cdk-'));
  await writeFile(path.join(projectRoot, 'package-lock.json'), '{}');
  const app = new App({ outdir: path.join(projectRoot, 'cdk.out'), context: { 'aws:cdk:bundling-stacks': [] } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new Stack(app, 'SettingsFixture');
  await createBlocksBackend(stack, { mode: 'sandbox', projectRoot, appEntry: FIXTURE });
  // Runs the cdk-nag plugin: any unacknowledged finding fails here.
  app.synth();
  template = Template.fromStack(stack);
}, 60_000);

afterAll(async () => {
  await rm(projectRoot, { recursive: true, force: true });
});

function statements(): Statement[] {
  return Object.values(template.toJSON().Resources as Record<string, { Properties?: Record<string, unknown> }>).flatMap((resource) => {
    const props = resource.Properties ?? {};
    const documents = [props.PolicyDocument, ...((props.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map((p) => p.PolicyDocument)];
    return documents.flatMap((doc) => (doc as { Statement?: Statement[] } | undefined)?.Statement ?? []);
  });
}

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
