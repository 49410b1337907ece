/**
 * AsyncJob's panel in the console page (server side: console.ts): the local
 * queue's jobs by group, refreshed every two seconds while shown (jobs move
 * on their own), with the last error of a failed or dead-lettered job and
 * "Re-drive" on a dead letter.
 */
import { useCallback, useEffect, useState } from 'react';
import { errorText } from '../../dev/console/ui/api';
import { callAction, ErrorNote, formatTime, JsonView, useBusy, type ConsolePanelUi, type SectionInfo } from '../../dev/console/ui/kit';
// Types only (erased when the page is compiled): the shapes console.ts sends.
import type { JobGroup, JobView } from './console';

interface Listing {
  readonly jobs: readonly JobView[];
  readonly counts: Readonly<Record<JobGroup, number>>;
}

const REFRESH_MS = 2000;
const GROUPS: ReadonlyArray<{ readonly group: JobGroup; readonly short: string; readonly label: string; readonly badge: string }> = [
  { group: 'dead', short: 'Dead letters', label: 'Dead letters', badge: 'danger' },
  { group: 'failed', short: 'Failed', label: 'Failed, waiting for a retry', badge: 'warn' },
  { group: 'running', short: 'Running', label: 'Running', badge: '' },
  { group: 'queued', short: 'Queued', label: 'Queued', badge: '' },
  { group: 'succeeded', short: 'Succeeded', label: 'Succeeded (kept a day)', badge: 'ok' },
];

function when(job: JobView): string {
  if (job.group === 'running') return `lease until ${formatTime(job.runAt)}`;
  if (job.group === 'queued' || job.group === 'failed') return `${job.group === 'failed' ? 'next try' : 'runs'} ${formatTime(job.runAt)}`;
  return `${job.group === 'dead' ? 'dead-lettered' : 'finished'} ${formatTime(job.runAt)}`;
}

function JobsPanel({ section }: { readonly section: SectionInfo }) {
  const [listing, setListing] = useState<Listing | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const { busy, error, setError, run } = useBusy();
  const retries = typeof section.info.retries === 'number' ? section.info.retries : undefined;

  // The periodic refresh leaves the busy flag alone: buttons stay usable between an action's start and end only.
  const load = useCallback(async () => {
    try {
      setListing(await callAction<Listing>(section, 'list'));
    } catch (caught) {
      setError(errorText(caught));
    }
  }, [section, setError]);
  useEffect(() => {
    let active = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      await load();
      if (active) timer = setTimeout(() => void tick(), REFRESH_MS);
    };
    void tick();
    return () => {
      active = false;
      clearTimeout(timer);
    };
  }, [load]);

  async function redrive(jobId: string) {
    await run(async () => {
      await callAction(section, 'redrive', { jobId });
      setNotice(`Job ${jobId} is queued again.`);
    });
    await load();
  }

  const jobs = listing?.jobs ?? [];
  return (
    <div>
      <div className="toolbar">
        <button type="button" className="button secondary" disabled={busy} onClick={() => void load()}>
          Refresh
        </button>
        {listing && (
          <p className="meta" aria-label={`Job counts of ${section.key}`}>
            {GROUPS.map(({ group, short }) => (
              <span key={group}>
                {short}: {listing.counts[group]}
              </span>
            ))}
          </p>
        )}
      </div>
      <ErrorNote text={error} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {listing && jobs.length === 0 && <p className="empty">No jobs yet. An `enqueue` from the app shows here, and runs in the dev server.</p>}
      {GROUPS.filter(({ group }) => jobs.some((job) => job.group === group)).map(({ group, label, badge }) => (
        <section key={group} aria-label={`${label} of ${section.key}`}>
          <h4>{label}</h4>
          <ul className="cards">
            {jobs
              .filter((job) => job.group === group)
              .map((job) => (
                <li key={job.jobId} className="card">
                  <div className="card-head">
                    <code>{job.jobId}</code>
                    <span className={`badge ${badge}`}>{group}</span>
                    {group === 'dead' && (
                      <button type="button" className="button" disabled={busy} onClick={() => void redrive(job.jobId)}>
                        Re-drive
                      </button>
                    )}
                  </div>
                  <p className="meta">
                    <span>
                      attempt {job.attempts}
                      {retries !== undefined && ` of ${retries + 1}`}
                    </span>
                    <span>{when(job)}</span>
                    <span>enqueued {formatTime(job.enqueuedAt)}</span>
                    {job.requestId && <span>by request {job.requestId}</span>}
                    {job.dedupeKey && <span>dedupe key {job.dedupeKey}</span>}
                  </p>
                  {job.lastError && <p className="error">{job.lastError}</p>}
                  <details>
                    <summary>Payload</summary>
                    <JsonView value={job.payload} label={`Payload of ${job.jobId}`} />
                  </details>
                </li>
              ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

export const panel: ConsolePanelUi = { id: 'async-job', Panel: JobsPanel };
