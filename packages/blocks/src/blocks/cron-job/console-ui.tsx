/**
 * CronJob's panel in the console page (server side: console.ts): the
 * schedule and its time zone, the next run the dev server is armed for, the
 * last run's outcome, and "Run now".
 */
import { useCallback, useEffect, useState } from 'react';
import { callAction, ErrorNote, formatTime, useBusy, type ConsolePanelUi, type SectionInfo } from '../../dev/console/ui/kit';

interface LastRun {
  readonly scheduledTime: string;
  readonly outcome: 'succeeded' | 'failed';
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly error?: string;
}

interface Status {
  readonly schedule: string;
  readonly timezone: string;
  readonly nextRunAt: string | null;
  readonly lastRun: LastRun | null;
}

function SchedulePanel({ section }: { readonly section: SectionInfo }) {
  const [status, setStatus] = useState<Status | null>(null);
  const { busy, error, run } = useBusy();
  const load = useCallback(() => run(async () => setStatus(await callAction<Status>(section, 'status'))), [run, section]);
  useEffect(() => {
    void load();
  }, [load]);

  async function runNow() {
    await run(async () => {
      await callAction(section, 'runNow');
    });
    await load();
  }

  const last = status?.lastRun;
  return (
    <div className="card">
      <ErrorNote text={error} />
      {status && (
        <dl className="facts" aria-label={`Schedule of ${section.key}`}>
          <dt>Schedule</dt>
          <dd>
            <code>{status.schedule}</code> ({status.timezone})
          </dd>
          <dt>Next run</dt>
          <dd>{status.nextRunAt ? formatTime(status.nextRunAt) : 'none (the schedule has passed)'}</dd>
          <dt>Last run</dt>
          <dd>
            {last ? (
              <>
                <span className={`badge ${last.outcome === 'succeeded' ? 'ok' : 'danger'}`}>{last.outcome}</span> {formatTime(last.finishedAt)} · {last.durationMs} ms
              </>
            ) : (
              'not since the dev server started'
            )}
          </dd>
        </dl>
      )}
      {last?.error && <p className="error">{last.error}</p>}
      <div className="actions">
        <button type="button" className="button" disabled={busy} onClick={() => void runNow()}>
          {busy ? 'Running…' : 'Run now'}
        </button>
        <button type="button" className="button secondary" disabled={busy} onClick={() => void load()}>
          Refresh
        </button>
      </div>
    </div>
  );
}

export const panel: ConsolePanelUi = { id: 'cron-job', Panel: SchedulePanel };
