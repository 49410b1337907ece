/**
 * What the dev server knows of a schedule beyond its declaration: the time
 * its local scheduler is armed for and how its last run ended, for the
 * console's Jobs tab. Kept in memory only (a restart forgets it, as the
 * scheduler forgets missed times) and on `globalThis`, keyed by
 * `<scope>/<id>`: the scheduler and the console may hold CronJobs of the
 * kit's two module copies (Node's and Vite's), and each edit of the app
 * declares new instances.
 */

export interface LastScheduleRun {
  readonly scheduledTime: string;
  readonly outcome: 'succeeded' | 'failed';
  /** ISO time the run ended. */
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly error?: string;
}

export interface ScheduleState {
  /** ISO time the running scheduler will next run the handler; absent when no scheduler works it. */
  nextRunAt?: string;
  lastRun?: LastScheduleRun;
}

const STATE_KEY: unique symbol = Symbol.for('blocks-kit.localSchedules');
type GlobalWithState = typeof globalThis & { [STATE_KEY]?: Map<string, ScheduleState> };

export function scheduleState(key: string): ScheduleState {
  const global = globalThis as GlobalWithState;
  const all = (global[STATE_KEY] ??= new Map());
  let state = all.get(key);
  if (state === undefined) {
    state = {};
    all.set(key, state);
  }
  return state;
}
