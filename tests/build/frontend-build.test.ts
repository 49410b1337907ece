import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputsFromSynth } from '../../amplify/testing/outputs-from-synth';
import { synthesize } from '../../amplify/testing/synthesize';

const run = promisify(execFile);
const projectRoot = path.resolve(import.meta.dirname, '../..');
let work: string;

function viteBuild(outputsFile: string, outDir: string) {
  return run(process.execPath, [path.join(projectRoot, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', outDir, '--emptyOutDir'], {
    cwd: projectRoot,
    env: { ...process.env, BLOCKS_OUTPUTS_FILE: outputsFile },
    timeout: 180_000,
    maxBuffer: 16 * 1024 * 1024,
  });
}

async function bundleText(outDir: string): Promise<string> {
  const assets = path.join(outDir, 'assets');
  const files = (await readdir(assets)).filter((file) => file.endsWith('.js'));
  return (await Promise.all(files.map((file) => readFile(path.join(assets, file), 'utf8')))).join('\n');
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'blocks-build-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('npm run build', () => {
  it('builds the frontend against the outputs of the synthesized backend', async () => {
    const { root } = await synthesize({ type: 'sandbox', namespace: 'starter', name: 'build' });
    const outputs = outputsFromSynth(root);
    expect(outputs).toMatchObject({
      custom: { blocks_api_url: 'https://synth0api.execute-api.us-east-1.amazonaws.com/aws-blocks/api' },
      auth: { user_pool_id: 'us-east-1_SYNTH0000' },
    });
    const outputsFile = path.join(work, 'amplify_outputs.json');
    await writeFile(outputsFile, JSON.stringify(outputs));
    const outDir = path.join(work, 'dist');
    await viteBuild(outputsFile, outDir);

    const js = await bundleText(outDir);
    expect(js).toContain('https://synth0api.execute-api.us-east-1.amazonaws.com/aws-blocks/api');
    expect(js).toContain('us-east-1_SYNTH0000');
    // The cloud build carries no local-mode configuration and no server code.
    expect(js).not.toContain('local-cognito');
    expect(js).not.toMatch(/noteStore|CognitoVerifier|node:crypto|writeFileAtomic/);
    // The AuthBasic example page (npm run dev:auth-basic) has its own Vite root.
    expect(js).not.toMatch(/AuthBasic example|Choose a new password|email-outbox/);
    // The local console (/_blocks/) is served by the dev plugin only: no page, script or panel of it is built.
    expect(js).not.toMatch(/Blocks console|x-blocks-console|_blocks|Import JSON lines|console-ui/);
    const built = await readdir(outDir, { recursive: true });
    expect(built.filter((file) => /_blocks|console/i.test(file))).toEqual([]);
    expect(await readFile(path.join(outDir, 'index.html'), 'utf8')).not.toContain('_blocks');
  }, 240_000);

  it('stops with directions when amplify_outputs.json is missing, and writes nothing', async () => {
    const outDir = path.join(work, 'dist-missing');
    const failure = await viteBuild(path.join(work, 'nope', 'amplify_outputs.json'), outDir).then(
      () => null,
      (error: { stderr?: string; stdout?: string; code?: number }) => error,
    );
    expect(failure).not.toBeNull();
    const text = `${failure!.stdout ?? ''}${failure!.stderr ?? ''}`;
    expect(text).toContain('amplify_outputs.json is missing');
    expect(text).toContain('npm run sandbox');
    expect(text).toContain('npx ampx generate outputs');
    expect(existsSync(path.join(outDir, 'index.html'))).toBe(false);
  }, 120_000);
});

describe('amplify.yml', () => {
  it('deploys the backend with the cdk condition appended, then builds to dist', async () => {
    const yml = await readFile(path.join(projectRoot, 'amplify.yml'), 'utf8');
    expect(yml).toContain('bash scripts/install-deps.sh');
    expect(yml).toContain('NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--conditions=cdk" npx ampx pipeline-deploy --branch "$AWS_BRANCH" --app-id "$AWS_APP_ID"');
    expect(yml).toMatch(/- npm run build/);
    expect(yml).toMatch(/baseDirectory: dist/);
  });
});
