/**
 * `npx tsx bench/profile-cold-start.ts [method] [--source-maps]`: one CPU
 * profile of a cold start of the real asset, grouped by where the time goes.
 * Not a bench section (one run, no baseline): the tool behind the profile
 * tables in docs/performance.md.
 *
 * The asset runs in the deployed-artifact harness as in
 * bench/lambda-cold-init.ts (its environment, its JWKS, dynalite for the
 * tables). Node refuses `--cpu-prof` in NODE_OPTIONS, so a preload
 * (`--import`, which NODE_OPTIONS allows) starts the inspector's profiler
 * before the runtime stand-in loads and writes the profile shortly after the
 * answer. Bundle frames are attributed to their source package through the
 * asset's own source map; `--source-maps` runs with Node's
 * `--enable-source-maps`, to see what the flag costs.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { synthesize } from '../amplify/testing/synthesize.ts';
import { CognitoTokens, httpApiEvent, isAllowed, loadDeployedFunction, startLambdaProcess, startRecordingDynamoDb } from '../tests/deployed/harness.ts';

/** Written next to the profile; stops the profiler 700 ms after start, well after the first answer. */
const PRELOAD = `import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
const session = new Session();
session.connect();
session.post('Profiler.setSamplingInterval', { interval: 100 });
session.post('Profiler.enable');
session.post('Profiler.start');
setTimeout(() => session.post('Profiler.stop', (error, result) => {
  if (!error) writeFileSync(new URL('./cold-start.cpuprofile', import.meta.url), JSON.stringify(result.profile));
}), 700).unref();
`;

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly url: string; readonly functionName: string; readonly lineNumber: number; readonly columnNumber: number };
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** A package name (`zod`, `@aws-sdk/client-dynamodb`) or a kit folder (`kit/rpc`) for a source path. */
function sourceGroup(source: string): string {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  if (inPackage) return inPackage[1]!;
  const inKit = /packages\/blocks\/src\/([^/]+)/.exec(source);
  if (inKit) return `kit/${inKit[1]}`;
  return source.includes('aws-blocks/') ? 'app' : source;
}

function groupOf(frame: ProfileNode['callFrame'], bundle: string, map: SourceMap): string {
  const { url, functionName } = frame;
  if (url.includes('undici')) return 'undici (fetch, Headers)';
  if (/@aws-sdk|@smithy/.test(url)) return '@aws-sdk / @smithy';
  if (url.endsWith(bundle)) {
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber);
    return `bundle: ${'originalSource' in entry ? sourceGroup(entry.originalSource) : '?'}`;
  }
  if (url.startsWith('node:internal/source_map')) return 'source maps';
  if (url.startsWith('node:internal/modules') || url.startsWith('node:internal/bootstrap/realm')) return 'module loading (node)';
  if (url.startsWith('node:')) return `node: ${url.slice('node:'.length).replace(/^internal\//, '').split('/')[0]}`;
  if (url === '') return `(${functionName})`;
  return url.includes('/runtime/') ? 'harness runtime stand-in' : url;
}

async function main(): Promise<void> {
  const method = process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? 'account.me';
  const sourceMaps = process.argv.includes('--source-maps');
  // --functions: also list the bundle's hottest source files and functions (what a group above is made of).
  const functions = process.argv.includes('--functions');
  const synth = await synthesize({ type: 'sandbox', namespace: 'bench', name: 'profile' });
  const work = await mkdtemp(path.join(tmpdir(), 'blocks-bench-profile-'));
  const fn = await loadDeployedFunction(synth);
  const db = await startRecordingDynamoDb(fn.tables, { ...fn.account, authorize: (action, resource) => isAllowed(fn.policy, action, resource) });
  try {
    const tokens = new CognitoTokens(fn);
    const token = tokens.idToken({ sub: 'profile-sub', email: 'profile@example.com' });
    const params = method === 'notes.list' ? { limit: 20 } : undefined;
    const event = httpApiEvent({ body: { jsonrpc: '2.0', id: 1, method, ...(params && { params }) }, token });
    const preload = path.join(work, 'preload.mjs');
    await writeFile(preload, PRELOAD);
    const lambda = await startLambdaProcess(fn, {
      dynamoDbEndpoint: db.endpoint,
      jwks: tokens.jwksRoute,
      extraEnv: { NODE_OPTIONS: `${sourceMaps ? '--enable-source-maps ' : ''}--import ${preload}` },
    });
    const outcome = await lambda.invokeTimed<{ statusCode?: number }>(event);
    const totalMs = performance.now() - lambda.startedAt;
    if (outcome.result.statusCode !== 200) throw new Error(`${method} answered ${outcome.result.statusCode}`);
    const file = path.join(work, 'cold-start.cpuprofile');
    for (let waited = 0; !(await readdir(work)).includes('cold-start.cpuprofile'); waited += 100) {
      if (waited > 10_000) throw new Error('no profile written');
      await sleep(100);
    }
    await lambda.close();

    const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
    const bundle = fn.handler.slice(0, fn.handler.lastIndexOf('.')) + '.mjs';
    const map = new SourceMap(JSON.parse(await readFile(path.join(fn.assetDir, `${bundle}.map`), 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const selfMs = new Map<string, number>();
    const bySourceMs = new Map<string, number>();
    profile.samples.forEach((id, i) => {
      const node = byId.get(id);
      if (!node) return;
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      const group = groupOf(node.callFrame, bundle, map);
      selfMs.set(group, (selfMs.get(group) ?? 0) + ms);
      if (functions && node.callFrame.url.endsWith(bundle)) {
        const entry = map.findEntry(node.callFrame.lineNumber, node.callFrame.columnNumber);
        const where = 'originalSource' in entry ? `${entry.originalSource.replace(/^.*?(packages\/blocks\/src\/|node_modules\/)/, '')}:${entry.originalLine + 1} ${node.callFrame.functionName}` : '?';
        bySourceMs.set(where, (bySourceMs.get(where) ?? 0) + ms);
      }
    });
    console.log(`${method}${sourceMaps ? ' (--enable-source-maps)' : ''}: ${totalMs.toFixed(1)} ms process start → response; init ${lambda.initMs.toFixed(1)} ms, first event ${outcome.durationMs.toFixed(1)} ms`);
    console.log('CPU self time by group (ms), idle excluded:');
    for (const [group, ms] of [...selfMs].filter(([group]) => group !== '((idle))').sort((a, b) => b[1] - a[1]).slice(0, 25)) {
      if (ms >= 0.3) console.log(`${ms.toFixed(1).padStart(7)}  ${group}`);
    }
    if (functions) {
      console.log('Bundle CPU self time by source position (ms):');
      for (const [where, ms] of [...bySourceMs].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${ms.toFixed(1).padStart(7)}  ${where}`);
    }
  } finally {
    await db.close();
    await rm(work, { recursive: true, force: true });
    await rm(synth.outDir, { recursive: true, force: true });
  }
}

await main();
