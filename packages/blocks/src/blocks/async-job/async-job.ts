/**
 * What `new AsyncJob(scope, id, options)` is in every runtime: a declaration
 * in a scope with checked settings, the one way a handler is run and its run
 * logged, and the local-only admin methods' deployed answer. Each variant
 * adds `enqueue` and its way of working the queue.
 */
import { bindingKey } from '../../core/binding.js';
import { createRunLogger, logRun, withTimeout, type LogSink, consoleSink } from '../../core/run-log.js';
import type { Scope, ScopedResource } from '../../core/scope.js';
import { jobSettings, type JobSettings } from './options.js';
import type { AsyncJobOptions, EnqueueOptions, EnqueueResult, JobInfo } from './public.js';

/** One run as a variant's queue hands it over. */
export interface JobRun {
  readonly jobId: string;
  readonly attempt: number;
  readonly payloadJson: string;
  readonly requestId?: string;
}

export type RunResult = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

export abstract class DeclaredAsyncJob<T> implements ScopedResource {
  readonly kind = 'AsyncJob';
  readonly scope: Scope;
  readonly id: string;
  readonly settings: JobSettings<T>;
  /** Where run lines go (tests capture them). */
  logSink: LogSink = consoleSink;

  constructor(scope: Scope, id: string, options: AsyncJobOptions<T>) {
    this.scope = scope;
    this.id = id;
    this.settings = jobSettings(`${scope.name}/${id}`, options);
    scope.register(this);
  }

  abstract enqueue(payload: T, options?: EnqueueOptions): Promise<EnqueueResult>;

  /**
   * Runs the handler once for `run` and logs the run's line. `final` says
   * whether a failure now dead-letters the job (logged as `dead-lettered`).
   * Never throws: the queue decides what a failure means.
   */
  async runOnce(run: JobRun, final: boolean): Promise<RunResult> {
    const block = bindingKey(this);
    const base = { block, jobId: run.jobId, attempt: run.attempt, ...(run.requestId !== undefined && { requestId: run.requestId }) };
    const started = performance.now();
    let result: RunResult;
    let parsed: { readonly payload: T } | undefined;
    try {
      const payload = JSON.parse(run.payloadJson) as T;
      parsed = { payload };
      const log = createRunLogger(base, this.logSink);
      const context = { jobId: run.jobId, attempt: run.attempt, log, ...(run.requestId !== undefined && { requestId: run.requestId }) };
      await withTimeout(() => this.settings.handler(payload, context), this.settings.visibilityTimeout, `Job ${block} ${run.jobId}`);
      result = { ok: true };
    } catch (error) {
      result = { ok: false, error };
    }
    const { jobId, attempt, requestId } = run;
    logRun(
      {
        msg: 'job run',
        kind: this.kind,
        block,
        durationMs: Math.round(performance.now() - started),
        outcome: result.ok ? 'succeeded' : final ? 'dead-lettered' : 'failed',
        fields: { jobId, attempt, ...(requestId !== undefined && { requestId }) },
        ...(!result.ok && { error: result.error }),
        ...(parsed !== undefined && { payload: parsed.payload }),
      },
      this.logSink,
    );
    return result;
  }

  /** Local development only; see README.md for the deployed dead-letter queue. */
  async listJobs(): Promise<JobInfo[]> {
    throw this.#localOnly('listJobs');
  }

  /** Local development only; deployed, dead letters are in the `-dlq` SQS queue. */
  async listDeadLetters(): Promise<JobInfo[]> {
    throw this.#localOnly('listDeadLetters');
  }

  /** Local development only; deployed, redrive with the SQS console or StartMessageMoveTask. */
  async redrive(_jobId: string): Promise<boolean> {
    throw this.#localOnly('redrive');
  }

  #localOnly(method: string): Error {
    return new Error(
      `AsyncJob.${method} works on the local queue only. Deployed, dead-lettered jobs are in the job's dead-letter SQS queue: ` +
        'inspect them in the SQS console and move them back with its "Start DLQ redrive" (StartMessageMoveTask).',
    );
  }
}
