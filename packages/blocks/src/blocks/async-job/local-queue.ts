/**
 * The local (dev server) job queue: durable, at-least-once, built on the
 * kit's local KVStore storage (LocalKVStore, the engine KVStore and the
 * local user pool share) rather than files of its own. Each job is one
 * record `job/<jobId>`; each dedupe key one record `dedupe/<key>`.
 *
 * - `enqueue` resolves only after the job's record is durably written
 *   (LocalKVStore writes atomically and fsyncs), so an acknowledged job
 *   survives a SIGKILL and runs after the restart.
 * - A run first claims its job with a conditional write (`ifVersion`):
 *   state `running`, the attempt counted, a lease until the run's timeout.
 *   A lease held by an earlier process (one that crashed mid-run) is taken
 *   over at once; the job then runs again (at-least-once).
 * - A success is written before it is forgotten: a succeeded job is never
 *   claimed again (its record expires after a day). A failure requeues the
 *   job after an exponential backoff, or, after the last attempt, moves it to
 *   `dead`, where `listDeadLetters` and `redrive` find it.
 *
 * One process works a queue directory (the dev server; LocalKVStore's own
 * rule); the state shared by the kit's two module copies in the dev server
 * (Node and Vite) lives on `globalThis`.
 */
import { randomUUID } from 'node:crypto';
import { ConflictError } from '../../core/errors.js';
import { KeyedLock } from '../../local/keyed-lock.js';
import { LocalKVStore } from '../kv-store/local-store.js';
import type { KVItem } from '../kv-store/types.js';
import type { JobRun, RunResult } from './async-job.js';
import { DEDUPE_WINDOW_SECONDS, retryDelaySeconds, type CheckedEnqueue, type JobSettings } from './options.js';
import type { JobInfo, JobState } from './public.js';

interface JobRecord {
  readonly state: JobState;
  readonly attempts: number;
  /** Epoch ms. */
  readonly enqueuedAt: number;
  /** Epoch ms: when a queued job is due, or when a running job's lease ends. */
  readonly runAt: number;
  /** Which runner holds a running job's lease (a restarted process takes over the others at once). */
  readonly owner?: string;
  readonly payload: unknown;
  readonly requestId?: string;
  readonly dedupeKey?: string;
  readonly lastError?: string;
}

interface DedupeRecord {
  readonly jobId: string;
  /** Epoch ms of the first enqueue. */
  readonly at: number;
}

type QueueRecord = JobRecord | DedupeRecord;

/** What the runner needs of the Block each time it runs a job (looked up afresh: edits apply). */
export interface JobWorker {
  readonly settings: Pick<JobSettings<unknown>, 'retries' | 'visibilityTimeout' | 'concurrency'>;
  runOnce(run: JobRun, final: boolean): Promise<RunResult>;
}

export interface LocalQueueOptions {
  /** Milliseconds before retry `attempt`; default retryDelaySeconds (2 s, 4 s, 8 s... up to 5 min). Tests shorten it. */
  readonly backoffMs?: (attempt: number) => number;
  /**
   * Longest wait between two looks at the queue. The runner otherwise sleeps
   * until the next job is due or something wakes it (an enqueue, a redrive,
   * a run ending), so an idle queue costs nothing; default 5 s.
   */
  readonly pollMs?: number;
}

/** Succeeded jobs stay listed this long. */
const SUCCEEDED_TTL_SECONDS = 24 * 60 * 60;
const JOB_PREFIX = 'job/';
const DEDUPE_PREFIX = 'dedupe/';

interface DirShared {
  readonly lock: KeyedLock;
  /** Wakes the runner of this directory when a job is enqueued. */
  wake?: () => void;
  /** Whether a runner works this directory in this process. */
  running: boolean;
}

const SHARED_KEY: unique symbol = Symbol.for('blocks-kit.localJobQueues');
type GlobalWithShared = typeof globalThis & { [SHARED_KEY]?: Map<string, DirShared> };

function sharedFor(dir: string): DirShared {
  const global = globalThis as GlobalWithShared;
  const all = (global[SHARED_KEY] ??= new Map());
  let shared = all.get(dir);
  if (shared === undefined) {
    shared = { lock: new KeyedLock(), running: false };
    all.set(dir, shared);
  }
  return shared;
}

function isJob(item: KVItem<QueueRecord>): item is KVItem<JobRecord> {
  return item.key.startsWith(JOB_PREFIX);
}

function toInfo(item: KVItem<JobRecord>): JobInfo {
  const job = item.value;
  return {
    jobId: item.key.slice(JOB_PREFIX.length),
    state: job.state,
    attempts: job.attempts,
    enqueuedAt: new Date(job.enqueuedAt).toISOString(),
    runAt: new Date(job.runAt).toISOString(),
    payload: job.payload,
    ...(job.requestId !== undefined && { requestId: job.requestId }),
    ...(job.dedupeKey !== undefined && { dedupeKey: job.dedupeKey }),
    ...(job.lastError !== undefined && { lastError: job.lastError }),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class LocalJobQueue {
  readonly dir: string;
  readonly #store: LocalKVStore<QueueRecord>;
  readonly #shared: DirShared;
  readonly #backoffMs: (attempt: number) => number;
  readonly #pollMs: number;

  constructor(dir: string, options: LocalQueueOptions = {}) {
    this.#store = new LocalKVStore<QueueRecord>(dir);
    this.dir = this.#store.dir;
    this.#shared = sharedFor(this.dir);
    this.#backoffMs = options.backoffMs ?? ((attempt) => retryDelaySeconds(attempt) * 1000);
    this.#pollMs = options.pollMs ?? 5000;
  }

  /** Durably queues a job; resolves to its id (the first job's id for a dedupe key seen in the last 5 minutes). */
  async enqueue(checked: CheckedEnqueue, requestId: string | undefined): Promise<string> {
    const { dedupeKey } = checked;
    if (dedupeKey === undefined) return this.#write(checked, requestId);
    // In-process lock: one process owns the directory, so this orders every enqueue of the key.
    return this.#shared.lock.run(`${DEDUPE_PREFIX}${dedupeKey}`, async () => {
      const seen = await this.#store.get(`${DEDUPE_PREFIX}${dedupeKey}`);
      const first = seen?.value as DedupeRecord | undefined;
      // The job is written before its dedupe record, so a record always names a job that was acknowledged;
      // the check covers a record outliving its job's expiry.
      if (first !== undefined && Date.now() - first.at < DEDUPE_WINDOW_SECONDS * 1000 && (await this.#store.get(`${JOB_PREFIX}${first.jobId}`))) {
        return first.jobId;
      }
      const jobId = await this.#write(checked, requestId);
      const record: DedupeRecord = { jobId, at: Date.now() };
      await this.#store.put(`${DEDUPE_PREFIX}${dedupeKey}`, record, { ttlSeconds: DEDUPE_WINDOW_SECONDS });
      return jobId;
    });
  }

  async #write(checked: CheckedEnqueue, requestId: string | undefined): Promise<string> {
    const jobId = randomUUID();
    const now = Date.now();
    const job: JobRecord = {
      state: 'queued',
      attempts: 0,
      enqueuedAt: now,
      runAt: now + checked.delaySeconds * 1000,
      payload: JSON.parse(checked.json) as unknown,
      ...(requestId !== undefined && { requestId }),
      ...(checked.dedupeKey !== undefined && { dedupeKey: checked.dedupeKey }),
    };
    await this.#store.put(`${JOB_PREFIX}${jobId}`, job, { ifNotExists: true });
    this.#shared.wake?.();
    return jobId;
  }

  /** Every job the queue holds (succeeded ones for a day), oldest first. */
  async list(state?: JobState): Promise<JobInfo[]> {
    const jobs = (await this.#jobItems()).map(toInfo).filter((job) => state === undefined || job.state === state);
    return jobs.sort((a, b) => a.enqueuedAt.localeCompare(b.enqueuedAt));
  }

  /** Queues a dead-lettered job again with its attempts reset; false when `jobId` is not dead-lettered. */
  async redrive(jobId: string): Promise<boolean> {
    const key = `${JOB_PREFIX}${jobId}`;
    let item: KVItem<QueueRecord> | undefined;
    try {
      item = await this.#store.get(key);
    } catch {
      return false; // not a valid key: not a job either
    }
    if (item === undefined || !isJob(item) || item.value.state !== 'dead') return false;
    const { lastError: _dropped, ...rest } = item.value;
    try {
      await this.#store.put(key, { ...rest, state: 'queued', attempts: 0, runAt: Date.now() }, { ifVersion: item.version });
    } catch (error) {
      if (error instanceof ConflictError) return false;
      throw error;
    }
    this.#shared.wake?.();
    return true;
  }

  async #jobItems(): Promise<KVItem<JobRecord>[]> {
    const items: KVItem<JobRecord>[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#store.list({ prefix: JOB_PREFIX, limit: 1000, ...(cursor !== undefined && { cursor }) });
      for (const item of page.items) if (isJob(item)) items.push(item);
      cursor = page.cursor;
    } while (cursor !== undefined);
    return items;
  }

  /**
   * Works the queue until `stop()`: at most `concurrency` runs at once, each
   * through the worker `resolve()` returns at that moment. Throws if this
   * process already works the directory.
   */
  start(resolve: () => Promise<JobWorker | undefined>): { stop(): Promise<void> } {
    if (this.#shared.running) throw new Error(`The job queue in ${this.dir} is already being worked by this process.`);
    this.#shared.running = true;
    const owner = randomUUID();
    const inFlight = new Map<string, Promise<void>>();
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let scanning: Promise<void> | undefined;
    let rescan = false;
    /** Epoch ms of the next known due time (a delayed job, a backoff, a lease end). */
    let nextDue = Number.POSITIVE_INFINITY;

    const schedule = (delayMs: number): void => {
      if (stopped) return;
      clearTimeout(timer);
      timer = setTimeout(() => void scan(), delayMs);
      timer.unref();
    };

    const scan = async (): Promise<void> => {
      if (scanning !== undefined) {
        rescan = true; // a wake-up during a scan must not be lost
        return scanning;
      }
      scanning = (async () => {
        do {
          rescan = false;
          try {
            nextDue = await this.#claimDue(resolve, owner, inFlight, () => stopped, () => schedule(0));
          } catch (error) {
            console.error(`[blocks] job queue ${this.dir}: ${messageOf(error)}`);
          }
        } while (rescan && !stopped);
      })();
      try {
        await scanning;
      } finally {
        scanning = undefined;
        schedule(Math.max(0, Math.min(nextDue - Date.now(), this.#pollMs)));
      }
    };

    this.#shared.wake = () => schedule(0);
    schedule(0);
    return {
      stop: async () => {
        stopped = true;
        clearTimeout(timer);
        if (this.#shared.wake !== undefined) delete this.#shared.wake;
        await scanning;
        await Promise.all(inFlight.values());
        this.#shared.running = false;
      },
    };
  }

  /** Claims and starts what is due, as far as `concurrency` allows; resolves to when the next job falls due. */
  async #claimDue(
    resolve: () => Promise<JobWorker | undefined>,
    owner: string,
    inFlight: Map<string, Promise<void>>,
    isStopped: () => boolean,
    onDone: () => void,
  ): Promise<number> {
    const never = Number.POSITIVE_INFINITY;
    const worker = await resolve();
    // No free slot: a run ending wakes the runner (onDone).
    if (worker === undefined || isStopped() || worker.settings.concurrency <= inFlight.size) return never;
    let free = worker.settings.concurrency - inFlight.size;
    const now = Date.now();
    const waiting = (await this.#jobItems()).filter(
      ({ key, value: job }) => !inFlight.has(key) && (job.state === 'queued' || job.state === 'running'),
    );
    const isDue = ({ value: job }: KVItem<JobRecord>): boolean => job.runAt <= now || (job.state === 'running' && job.owner !== owner);
    const later = waiting.filter((item) => !isDue(item)).reduce((soonest, item) => Math.min(soonest, item.value.runAt), never);
    const due = waiting.filter(isDue).sort((a, b) => a.value.runAt - b.value.runAt || a.value.enqueuedAt - b.value.enqueuedAt);
    for (const item of due) {
      if (free <= 0 || isStopped()) return later;
      const claimed = await this.#claim(item, owner, worker.settings.visibilityTimeout);
      if (claimed === undefined) continue;
      free--;
      const done = this.#runClaimed(claimed, worker)
        .catch((error: unknown) => console.error(`[blocks] job ${claimed.key}: ${messageOf(error)}`))
        .finally(() => {
          inFlight.delete(claimed.key);
          onDone();
        });
      inFlight.set(claimed.key, done);
    }
    return later;
  }

  /** Takes the job's lease with a conditional write; undefined when another claim or change won. */
  async #claim(item: KVItem<JobRecord>, owner: string, visibilityTimeout: number): Promise<KVItem<JobRecord> | undefined> {
    const job: JobRecord = {
      ...item.value,
      state: 'running',
      attempts: item.value.attempts + 1,
      owner,
      // A second of slack: the run's own timeout fires first and records the failure.
      runAt: Date.now() + (visibilityTimeout + 1) * 1000,
    };
    try {
      return (await this.#store.put(item.key, job, { ifVersion: item.version })) as KVItem<JobRecord>;
    } catch (error) {
      if (error instanceof ConflictError) return undefined;
      throw error;
    }
  }

  async #runClaimed(item: KVItem<JobRecord>, worker: JobWorker): Promise<void> {
    const job = item.value;
    const final = job.attempts >= worker.settings.retries + 1;
    const run: JobRun = {
      jobId: item.key.slice(JOB_PREFIX.length),
      attempt: job.attempts,
      payloadJson: JSON.stringify(job.payload),
      ...(job.requestId !== undefined && { requestId: job.requestId }),
    };
    const result = await worker.runOnce(run, final);
    const { owner: _owner, lastError: _lastError, ...rest } = job;
    if (result.ok) {
      await this.#store.put(item.key, { ...rest, state: 'succeeded', runAt: Date.now() }, { ifVersion: item.version, ttlSeconds: SUCCEEDED_TTL_SECONDS });
      return;
    }
    const lastError = messageOf(result.error);
    const next: JobRecord = final
      ? { ...rest, state: 'dead', runAt: Date.now(), lastError }
      : { ...rest, state: 'queued', runAt: Date.now() + this.#backoffMs(job.attempts), lastError };
    await this.#store.put(item.key, next, { ifVersion: item.version });
  }
}
