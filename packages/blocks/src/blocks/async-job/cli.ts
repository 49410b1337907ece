/**
 * `npm run blocks:job`: the local job queues and schedules from a terminal.
 * It asks the running dev server (which owns the queue files) through its
 * local admin routes (local/admin-route.ts); with no dev server running,
 * `list` and `dead` read the queues directly and `run` runs the schedule in
 * this process. Development only: deployed, dead letters are in each job's
 * dead-letter SQS queue (see README.md).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readAppModule } from '../../core/app-module.js';
import { bindingKey } from '../../core/binding.js';
import type { ScopedResource } from '../../core/scope.js';
import { ADMIN_HEADER, ADMIN_PREFIX } from '../../local/admin-route.js';
import type { JobInfo } from './public.js';
import { runWhenInvoked } from '../../local/cli-main.js';

const USAGE = `Local AsyncJob queues and CronJob schedules (development only)

  list [<scope>/<id>]              every job of the local queues: state, attempts, id, last error
  dead [<scope>/<id>]              dead-lettered jobs only
  redrive <jobId> [<scope>/<id>]   queue a dead-lettered job again (needs the dev server)
  run <scope>/<id>                 run a CronJob now

Options: --url <dev server>  (default http://localhost:5173, or $BLOCKS_DEV_URL)
         --app <file>        (default aws-blocks/index.ts)`;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const consoleIo: CliIo = { out: (line) => console.log(line), err: (line) => console.error(line) };

interface LocalJob extends ScopedResource {
  listJobs(): Promise<JobInfo[]>;
}
interface LocalCron extends ScopedResource {
  runNow(scheduledTime?: string): Promise<void>;
}

/** The dev server's answer, or undefined when nothing listens at `url`. */
async function askDevServer(url: string, method: 'GET' | 'POST', route: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(new URL(`${ADMIN_PREFIX}${route}`, url), { method, headers: { [ADMIN_HEADER]: '1' } });
  } catch {
    return undefined;
  }
  const body = (await response.json()) as unknown;
  if (!response.ok) throw new Error(`The dev server at ${url} answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

function formatJob(key: string, job: JobInfo): string {
  return [key, job.jobId, job.state, `attempts=${job.attempts}`, job.enqueuedAt, job.lastError ?? ''].join('\t').trimEnd();
}

/** Runs one CLI command; resolves to the process exit code. */
export async function runJobCli(argv: string[], io: CliIo = consoleIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { url: { type: 'string' }, app: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, first, second, ...extra] = positionals;
  if (values.help || command === undefined) {
    io.out(USAGE);
    return values.help ? 0 : 2;
  }
  if (extra.length > 0) {
    io.err(`Too many arguments\n\n${USAGE}`);
    return 2;
  }
  const url = values.url ?? env.BLOCKS_DEV_URL ?? 'http://localhost:5173';
  const appFile = path.resolve(values.app ?? path.join('aws-blocks', 'index.ts'));
  const resources = readAppModule((await import(pathToFileURL(appFile).href)) as Record<string, unknown>).resources;
  const jobs = resources.filter((resource): resource is LocalJob => resource.kind === 'AsyncJob');
  const crons = resources.filter((resource): resource is LocalCron => resource.kind === 'CronJob');
  const pick = <T extends ScopedResource>(all: T[], key: string | undefined, what: string): T[] | undefined => {
    if (key === undefined) return all;
    const found = all.filter((resource) => bindingKey(resource) === key);
    if (found.length === 0) io.err(`${path.relative(process.cwd(), appFile)} declares no ${what} "${key}" (declared: ${all.map(bindingKey).join(', ') || 'none'}).`);
    return found.length === 0 ? undefined : found;
  };

  switch (command) {
    case 'list':
    case 'dead': {
      const selected = pick(jobs, first, 'AsyncJob');
      if (selected === undefined) return 1;
      for (const job of selected) {
        const key = bindingKey(job);
        const listed = ((await askDevServer(url, 'GET', `jobs/${key}`)) as JobInfo[] | undefined) ?? (await job.listJobs());
        for (const info of listed) if (command === 'list' || info.state === 'dead') io.out(formatJob(key, info));
      }
      return 0;
    }
    case 'redrive': {
      if (first === undefined) {
        io.err(`redrive needs a job id\n\n${USAGE}`);
        return 2;
      }
      const selected = pick(jobs, second, 'AsyncJob');
      if (selected === undefined) return 1;
      for (const job of selected) {
        const answer = (await askDevServer(url, 'POST', `jobs/${bindingKey(job)}/redrive/${encodeURIComponent(first)}`)) as { redriven: boolean } | undefined;
        if (answer === undefined) {
          io.err(`No dev server at ${url}: start it (npm run dev) or pass --url; it owns the queue files.`);
          return 1;
        }
        if (answer.redriven) {
          io.out(`Re-queued ${first} on ${bindingKey(job)}`);
          return 0;
        }
      }
      io.err(`${first} is not a dead-lettered job${second === undefined ? '' : ` of ${second}`}.`);
      return 1;
    }
    case 'run': {
      const selected = first === undefined ? undefined : pick(crons, first, 'CronJob');
      if (selected === undefined || selected.length === 0) {
        if (first === undefined) io.err(`run needs a CronJob as <scope>/<id>\n\n${USAGE}`);
        return first === undefined ? 2 : 1;
      }
      const cron = selected[0] as LocalCron;
      const answer = (await askDevServer(url, 'POST', `schedules/${first}/run`)) as { outcome: string; error?: string } | undefined;
      if (answer !== undefined) {
        io.out(`${first}: ${answer.outcome}${answer.error ? `: ${answer.error}` : ''} (in the dev server)`);
        return answer.outcome === 'succeeded' ? 0 : 1;
      }
      try {
        await cron.runNow();
        io.out(`${first}: succeeded (in this process; no dev server at ${url})`);
        return 0;
      } catch (error) {
        io.err(`${first}: failed: ${(error as Error).message}`);
        return 1;
      }
    }
    default:
      io.err(`Unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

runWhenInvoked(import.meta.url, runJobCli);
