import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const projectRoot = path.resolve(import.meta.dirname, '../..');

export interface BackendContext {
  /** `sandbox` (npx ampx sandbox) or `branch` (Amplify Hosting pipeline-deploy). */
  readonly type: 'sandbox' | 'branch';
  /** For branch deploys, the Amplify app id. */
  readonly namespace: string;
  /** For branch deploys, the branch. */
  readonly name: string;
}

export type CfnTemplate = {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string }>;
  Outputs?: Record<string, { Value: unknown }>;
  Parameters?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
};

export interface Synthesized {
  readonly outDir: string;
  readonly root: CfnTemplate;
  readonly auth: CfnTemplate;
  readonly blocks: CfnTemplate;
  /** Combined stdout and stderr of the synthesis. */
  readonly log: string;
}

/**
 * Synthesizes the real amplify/backend.ts offline, exactly as ampx does:
 * a child Node process with the `cdk` condition added to any NODE_OPTIONS,
 * and cdk-nag's AWS Solutions checks attached (see nag-synth.ts).
 */
export async function synthesize(context: BackendContext, env: Record<string, string> = {}): Promise<Synthesized> {
  const outDir = await mkdtemp(path.join(tmpdir(), 'blocks-synth-'));
  const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'amplify/testing/nag-synth.ts'], {
    cwd: projectRoot,
    timeout: 180_000,
    maxBuffer: 16 * 1024 * 1024,
    env: {
      ...process.env,
      ...env,
      CDK_OUTDIR: outDir,
      CDK_CONTEXT_JSON: JSON.stringify({
        'amplify-backend-namespace': context.namespace,
        'amplify-backend-name': context.name,
        'amplify-backend-type': context.type,
      }),
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --conditions=cdk`.trim(),
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  });
  const files = await readdir(outDir);
  const load = async (match: (file: string) => boolean, what: string): Promise<CfnTemplate> => {
    const file = files.find(match);
    if (!file) throw new Error(`No ${what} template in ${outDir}: ${files.join(', ')}`);
    return JSON.parse(await readFile(path.join(outDir, file), 'utf8')) as CfnTemplate;
  };
  return {
    outDir,
    root: await load((f) => f.endsWith('.template.json') && !f.includes('.nested.'), 'root'),
    auth: await load((f) => f.includes('auth') && f.endsWith('.nested.template.json'), 'auth'),
    blocks: await load((f) => f.includes('blocks') && f.endsWith('.nested.template.json'), 'blocks'),
    log: `${stdout}\n${stderr}`,
  };
}
