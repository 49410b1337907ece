/**
 * AsyncJob's public types, re-exported by every variant.
 */
import type { RunLogger } from '../../core/run-log.js';

export type { RunLogger as JobLogger, LogFields } from '../../core/run-log.js';

/** What a job handler gets besides its payload. */
export interface JobContext {
  /** The id `enqueue` returned. */
  readonly jobId: string;
  /** 1 for the first run, 2 for the first retry... */
  readonly attempt: number;
  /** The request id of the API call that enqueued the job, when it was one. */
  readonly requestId?: string;
  /** Structured JSON lines carrying the job's id and attempt. */
  readonly log: RunLogger;
}

export type JobHandler<T> = (payload: T, context: JobContext) => Promise<void>;

export interface AsyncJobOptions<T> {
  readonly handler: JobHandler<T>;
  /** Extra attempts after the first, 0–10; default 3. Then the job is dead-lettered. */
  readonly retries?: number;
  /** Seconds one run may take, 1–900 (a Lambda's longest run); default 30. A longer run fails. */
  readonly visibilityTimeout?: number;
  /** Most runs at once, 2–1000 (an SQS event source's range); default 2. */
  readonly concurrency?: number;
}

export interface EnqueueOptions {
  /** Seconds before the first run, 0–900 (SQS's longest delay); default 0. */
  readonly delaySeconds?: number;
  /**
   * A second enqueue with the same key within 5 minutes returns the first
   * job's id and enqueues nothing. 1–128 characters of `[A-Za-z0-9_.:/-]`.
   */
  readonly dedupeKey?: string;
}

export interface EnqueueResult {
  readonly jobId: string;
}

export type JobState = 'queued' | 'running' | 'succeeded' | 'dead';

/** A job as the local queue holds it (`listJobs`, `listDeadLetters`). */
export interface JobInfo {
  readonly jobId: string;
  readonly state: JobState;
  /** Attempts started so far. */
  readonly attempts: number;
  /** ISO time it was enqueued. */
  readonly enqueuedAt: string;
  /** ISO time of its next run (queued) or lease end (running). */
  readonly runAt: string;
  readonly requestId?: string;
  readonly dedupeKey?: string;
  /** The last failure's message. */
  readonly lastError?: string;
  readonly payload: unknown;
}
