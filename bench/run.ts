/**
 * `npm run bench [-- <section>... ] [-- --readme]`: runs the measurements,
 * each in its own Node process, prints one table and writes
 * bench/results.json (a quick run, or one of only some sections, writes
 * bench/results.partial.json instead). `--readme` also replaces the table in
 * README.md's Performance section. `BENCH_QUICK=1` shortens every load for a
 * smoke run (its numbers are not for the README).
 *
 * Every number is measured next to its baseline in the same run and read as
 * a ratio: these machines are shared and noisy, so absolute times vary from
 * run to run while ratios mostly hold. See docs/performance.md.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { benchTmp, floorMissesTarget, meetsTarget, projectRoot, quick, ratioOf, round, type Metric, type SectionResult } from './helpers.ts';

/** In run order: the CDK synth first, while nothing else has warmed or filled the machine. */
const SECTIONS = [
  'lambda-bundle',
  'lambda-cold-init',
  'handler-throughput',
  'dev-server-load',
  'kv-scaling',
  'frontend',
  'dev-loop',
] as const;
type SectionId = (typeof SECTIONS)[number];

const BUDGET_SECONDS = 600;
const README = path.join(projectRoot, 'README.md');
const RESULTS = path.join(projectRoot, 'bench', 'results.json');
/** Where quick runs and runs of some sections go, so they never replace the full record. */
const PARTIAL_RESULTS = path.join(projectRoot, 'bench', 'results.partial.json');
const TABLE_START = '<!-- bench:table:start -->';
const TABLE_END = '<!-- bench:table:end -->';

interface Failure {
  readonly id: SectionId;
  readonly error: string;
}

function runSection(id: SectionId): Promise<SectionResult> {
  const resultFile = path.join(tmpdir(), `blocks-bench-${id}-${process.pid}.json`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('bench', `${id}.ts`)], {
      cwd: projectRoot,
      env: { ...process.env, BENCH_RESULT_FILE: resultFile },
      // Progress lines go to our stderr; stdout of the section (library chatter) too.
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`bench/${id}.ts exited ${code}`));
        return;
      }
      readFile(resultFile, 'utf8')
        .then((text) => rm(resultFile, { force: true }).then(() => resolve(JSON.parse(text) as SectionResult)))
        .catch(reject);
    });
  });
}

const formatNumber = (value: number): string =>
  Math.abs(value) >= 100 ? String(Math.round(value)) : String(round(value, Math.abs(value) >= 10 ? 1 : 2));

/** Small ratios keep two significant digits (0.056×), so they never print as 0×. */
const formatRatio = (ratio: number): string => `${ratio >= 0.1 ? round(ratio, 2) : Number(ratio.toPrecision(2))}×`;

function status(metric: Metric): string {
  const met = meetsTarget(metric);
  if (met === undefined) return '';
  if (met) return 'met';
  return floorMissesTarget(metric) ? '**missed**: its floor misses it too' : '**missed**';
}

/** The metric's note, then its floor read against its baseline (see Metric.floor). */
function noteOf(metric: Metric): string | undefined {
  const { floor, baseline } = metric;
  const floorNote = floor && baseline ? `${floor.name}: ${formatNumber(floor.value)} ${metric.unit} (${formatRatio(floor.value / baseline.value)})` : undefined;
  return [metric.note, floorNote].filter((part) => part !== undefined).join('; ') || undefined;
}

/** The Markdown table: one row per metric. */
function table(sections: readonly SectionResult[]): string {
  const rows = ['| Measurement | Result | Baseline (same run) | Ratio | Target | |', '|---|---:|---|---:|---|---|'];
  for (const section of sections) {
    for (const metric of section.metrics) {
      const ratio = ratioOf(metric);
      const baseline = metric.baseline ? `${metric.baseline.name}: ${formatNumber(metric.baseline.value)} ${metric.unit}` : '';
      const note = noteOf(metric);
      const name = note ? `${metric.name} <br><sub>${note}</sub>` : metric.name;
      rows.push(
        `| ${name} | ${formatNumber(metric.value)} ${metric.unit} | ${baseline} | ${ratio === undefined ? '' : formatRatio(ratio)} | ${metric.target?.label ?? ''} | ${status(metric)} |`,
      );
    }
  }
  return rows.join('\n');
}

function gitRevision(): string | undefined {
  try {
    const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: projectRoot, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${rev} (uncommitted changes)` : rev;
  } catch {
    return undefined;
  }
}

async function updateReadme(markdownTable: string, summary: string): Promise<void> {
  const readme = await readFile(README, 'utf8');
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${TABLE_START} … ${TABLE_END} block to update`);
  const block = `${TABLE_START}\n${summary}\n\n${markdownTable}\n${TABLE_END}`;
  await writeFile(README, readme.slice(0, start) + block + readme.slice(end + TABLE_END.length));
}

/**
 * The test suite's wall time is recorded by hand in results.json (`testSuite`:
 * how it was run, the load, the seconds), since running `npm test` is no part
 * of the bench; a bench run keeps the last record rather than dropping it.
 */
async function previousTestSuite(): Promise<unknown> {
  try {
    return (JSON.parse(await readFile(RESULTS, 'utf8')) as { testSuite?: unknown }).testSuite ?? null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const isSection = (arg: string): arg is SectionId => (SECTIONS as readonly string[]).includes(arg);
  const unknown = args.filter((arg) => arg !== '--readme' && !isSection(arg));
  if (unknown.length > 0) throw new Error(`unknown argument(s) ${unknown.join(', ')}; sections: ${SECTIONS.join(', ')}`);
  const requested = args.filter(isSection);
  const selected = requested.length > 0 ? SECTIONS.filter((id) => requested.includes(id)) : SECTIONS;
  const started = performance.now();
  const loadBefore = loadavg().map((value) => round(value, 2));
  const results: SectionResult[] = [];
  const failures: Failure[] = [];
  for (const id of selected) {
    process.stderr.write(`\n=== ${id} ===\n`);
    try {
      const result = await runSection(id);
      results.push(result);
      process.stderr.write(`=== ${id}: ${result.seconds} s ===\n`);
    } catch (error) {
      failures.push({ id, error: error instanceof Error ? error.message : String(error) });
      process.stderr.write(`=== ${id} FAILED: ${String(error)} ===\n`);
    }
  }
  const totalSeconds = round((performance.now() - started) / 1000, 1);
  const machine = {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    loadAverage: { before: loadBefore, after: loadavg().map((value) => round(value, 2)) },
  };
  const report = {
    generatedAt: new Date().toISOString(),
    revision: gitRevision(),
    quick,
    totalSeconds,
    machine,
    // Each metric with a target says whether this run missed it, so a regression is visible in the file alone.
    sections: results.map((section) => ({
      ...section,
      metrics: section.metrics.map((metric) => {
        const met = meetsTarget(metric);
        if (met === undefined) return metric;
        const floorMisses = floorMissesTarget(metric);
        return { ...metric, missed: !met, ...(floorMisses !== undefined && { floorMissesTarget: floorMisses }) };
      }),
    })),
    failures,
  };
  const complete = !quick && selected.length === SECTIONS.length && failures.length === 0;
  const resultsFile = complete ? RESULTS : PARTIAL_RESULTS;
  await writeFile(resultsFile, `${JSON.stringify({ ...report, testSuite: await previousTestSuite() }, null, 2)}\n`);

  const markdownTable = table(results);
  const summary =
    `Measured ${report.generatedAt.slice(0, 10)} on ${machine.cpus}, Node ${machine.node}, in ${Math.round(totalSeconds)} s ` +
    `(load average ${machine.loadAverage.before[0]} → ${machine.loadAverage.after[0]}).`;
  process.stdout.write(`\n${summary}\n\n${markdownTable}\n\nWrote ${path.relative(projectRoot, resultsFile)}.\n`);
  if (failures.length > 0) process.stdout.write(`Failed: ${failures.map((f) => `${f.id} (${f.error})`).join('; ')}\n`);
  if (totalSeconds > BUDGET_SECONDS) process.stdout.write(`Warning: the bench took ${totalSeconds} s, over its ${BUDGET_SECONDS} s budget.\n`);
  if (args.includes('--readme')) {
    if (!complete) throw new Error('README.md is updated only from a complete run: every section, no BENCH_QUICK, no failures');
    await updateReadme(markdownTable, summary);
    process.stdout.write('Updated the table in README.md.\n');
  }
  if (process.env.BENCH_KEEP !== '1') await rm(benchTmp, { recursive: true, force: true });
  process.exitCode = failures.length > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
