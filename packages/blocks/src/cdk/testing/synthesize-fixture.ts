/**
 * A Block's synthesis test in one call: an app module synthesized in
 * process by createBlocksBackend (bundling skipped, so no esbuild run), with
 * cdk-nag's AWS Solutions checks attached so any unacknowledged finding
 * fails, and the policy statements of every role and policy gathered for
 * grant assertions. The test itself must resolve blocks-kit to its cdk
 * variants: `vi.mock('blocks-kit', () => kitUnder('cdk'))`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createBlocksBackend, type BlocksBackend, type BlocksBackendOptions } from '../blocks-backend.js';

export interface PolicyStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

export interface SynthesizedFixture {
  readonly backend: BlocksBackend;
  readonly template: Template;
  /** Every statement of every IAM policy in the stack. */
  statements(): PolicyStatement[];
  /** Removes the scratch project folder. */
  cleanup(): Promise<void>;
}

export async function synthesizeFixture(
  appEntry: string,
  options: Omit<BlocksBackendOptions, 'projectRoot' | 'appEntry'> = { mode: 'production' },
): Promise<SynthesizedFixture> {
  // A project root of its own, so the generated Lambda entry cannot collide with another synthesis running in parallel.
  const projectRoot = await mkdtemp(path.join(tmpdir(), 'blocks-cdk-fixture-'));
  await writeFile(path.join(projectRoot, 'package-lock.json'), '{}');
  const app = new App({ outdir: path.join(projectRoot, 'cdk.out'), context: { 'aws:cdk:bundling-stacks': [] } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new Stack(app, 'BlocksFixture');
  const backend = await createBlocksBackend(stack, { ...options, projectRoot, appEntry });
  // Runs the cdk-nag plugin: any unacknowledged finding fails here.
  app.synth();
  const template = Template.fromStack(stack);
  return {
    backend,
    template,
    statements: () =>
      Object.values(template.toJSON().Resources as Record<string, { Properties?: Record<string, unknown> }>).flatMap((resource) => {
        const props = resource.Properties ?? {};
        const documents = [props.PolicyDocument, ...((props.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map((p) => p.PolicyDocument)];
        return documents.flatMap((doc) => (doc as { Statement?: PolicyStatement[] } | undefined)?.Statement ?? []);
      }),
    cleanup: () => rm(projectRoot, { recursive: true, force: true }),
  };
}
