/**
 * `npx tsx bench/compare-cold-start.ts --before <asset dir> [--rounds 30] [--method account.me]`:
 * cold starts of the current asset against another build of it (e.g. one
 * synthesized from an older commit and copied aside), and against the empty
 * handler, interleaved round by round in rotating order so a shared
 * machine's load drifts hit all three alike. Not a bench section: the tool
 * behind before/after rows in docs/performance.md.
 *
 * Each sample is a fresh execution environment in the deployed-artifact
 * harness (its environment, its JWKS, dynalite), as in
 * bench/lambda-cold-init.ts: process start → response.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { synthesize } from '../amplify/testing/synthesize.ts';
import { CognitoTokens, httpApiEvent, isAllowed, loadDeployedFunction, startLambdaProcess, startRecordingDynamoDb, type DeployedFunction } from '../tests/deployed/harness.ts';

const { values } = parseArgs({
  options: { before: { type: 'string' }, rounds: { type: 'string', default: '30' }, method: { type: 'string', default: 'account.me' } },
});
if (!values.before) throw new Error('--before <asset dir> is required');
const rounds = Number(values.rounds);

interface Sample {
  totalMs: number;
  initMs: number;
  loadedUndici: boolean;
  loadedHttps: boolean;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function summary(samples: readonly Sample[]): { p10: number; p50: number; p90: number; initP50: number; undici: number; https: number } {
  const total = samples.map((s) => s.totalMs).sort((a, b) => a - b);
  const init = samples.map((s) => s.initMs).sort((a, b) => a - b);
  const round1 = (n: number): number => Math.round(n * 10) / 10;
  return {
    p10: round1(percentile(total, 10)),
    p50: round1(percentile(total, 50)),
    p90: round1(percentile(total, 90)),
    initP50: round1(percentile(init, 50)),
    undici: samples.filter((s) => s.loadedUndici).length,
    // Samples whose process had loaded node:https (or tls) when it answered.
    https: samples.filter((s) => s.loadedHttps).length,
  };
}

const synth = await synthesize({ type: 'sandbox', namespace: 'bench', name: 'compare' });
const root = await mkdtemp(path.join(tmpdir(), 'blocks-bench-compare-'));
try {
  const after = await loadDeployedFunction(synth);
  const before: DeployedFunction = { ...after, assetDir: path.resolve(values.before) };
  const emptyDir = path.join(root, 'empty');
  const moduleFile = path.join(emptyDir, `${after.handler.slice(0, after.handler.lastIndexOf('.'))}.mjs`);
  await mkdir(path.dirname(moduleFile), { recursive: true });
  await writeFile(moduleFile, "export const handler = async () => ({ statusCode: 200, body: '{}' });\n");
  const empty: DeployedFunction = { ...after, assetDir: emptyDir };

  const db = await startRecordingDynamoDb(after.tables, { ...after.account, authorize: (action, resource) => isAllowed(after.policy, action, resource) });
  const tokens = new CognitoTokens(after);
  const event = httpApiEvent({ body: { jsonrpc: '2.0', id: 1, method: values.method }, token: tokens.idToken({ sub: 'compare-sub', email: 'compare@example.com' }) });

  async function coldStart(fn: DeployedFunction): Promise<Sample> {
    // The empty handler gets no key set: the harness's stand-in for Cognito then loads nothing for it.
    const lambda = await startLambdaProcess(fn, { dynamoDbEndpoint: db.endpoint, ...(fn !== empty && { jwks: tokens.jwksRoute }) });
    try {
      const outcome = await lambda.invokeTimed<{ statusCode?: number; body?: string }>(event);
      const totalMs = performance.now() - lambda.startedAt;
      if (outcome.result.statusCode !== 200) throw new Error(`answered ${outcome.result.statusCode}: ${outcome.result.body}\n${lambda.logs.join('\n')}`);
      return { totalMs, initMs: lambda.initMs, loadedUndici: outcome.loadedUndici, loadedHttps: outcome.loadedHttps };
    } finally {
      await lambda.close();
    }
  }

  const cases = { empty, before, after } as const;
  const names = Object.keys(cases) as (keyof typeof cases)[];
  const samples: Record<keyof typeof cases, Sample[]> = { empty: [], before: [], after: [] };
  // One warm-up of each, unrecorded: the first spawn pays for disk caches.
  for (const name of names) await coldStart(cases[name]);
  const loadStart = loadavg()[0]!;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length]!;
      samples[name].push(await coldStart(cases[name]));
    }
  }
  const loadEnd = loadavg()[0]!;
  const result = Object.fromEntries(names.map((name) => [name, summary(samples[name])]));
  const ratio = (name: keyof typeof cases): number => Math.round((result[name]!.p50 / result.empty!.p50) * 100) / 100;
  console.log(JSON.stringify({ method: values.method, rounds, load: [loadStart, loadEnd].map((l) => Math.round(l * 10) / 10), ...result, ratioP50: { before: ratio('before'), after: ratio('after') } }, null, 2));
  await db.close();
} finally {
  await rm(root, { recursive: true, force: true });
  await rm(synth.outDir, { recursive: true, force: true });
}
