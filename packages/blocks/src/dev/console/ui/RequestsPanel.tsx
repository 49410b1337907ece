/**
 * The live request log: polls for entries newer than the last one it has
 * (once a second, only while this tab is open), filters them in the page,
 * and opens one to show its redacted params and result. Background runs
 * (kind `job`) are entries too: their outcome in place of a status, their
 * payload as params, and the request id of the call that enqueued them.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { consoleApi, errorText } from './api';
import { ErrorNote, JsonView } from './kit';

interface Entry {
  readonly seq: number;
  readonly time: string;
  readonly kind: 'rpc' | 'route' | 'job';
  readonly method: string;
  readonly caller: { readonly label: string; readonly sub?: string; readonly email?: string };
  readonly status: number;
  readonly errorCode?: number;
  readonly errorMessage?: string;
  readonly durationMs: number;
  readonly requestId?: string;
  readonly params?: unknown;
  readonly result?: unknown;
  readonly resultSkipped?: true;
  readonly job?: {
    readonly block: string;
    readonly outcome: string;
    readonly jobId?: string;
    readonly attempt?: number;
    readonly scheduledTime?: string;
  };
}

const POLL_MS = 1000;
const KEEP = 500;

type StatusFilter = 'all' | 'ok' | 'error';

export function RequestsPanel() {
  const [entries, setEntries] = useState<Entry[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<Entry | null>(null);
  const [method, setMethod] = useState('');
  const [status, setStatus] = useState<StatusFilter>('all');
  const [user, setUser] = useState('');
  const last = useRef(0);

  useEffect(() => {
    let active = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const { entries: fresh } = await consoleApi.get<{ entries: Entry[] }>(`requests?after=${last.current}`);
        if (!active) return;
        setError(null);
        if (fresh.length > 0) {
          last.current = fresh.at(-1)!.seq;
          setEntries((current) => [...fresh.reverse(), ...current].slice(0, KEEP));
        }
      } catch (caught) {
        if (active) setError(errorText(caught));
      }
      if (active) timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      active = false;
      clearTimeout(timer);
    };
  }, []);

  const shown = useMemo(
    () =>
      entries.filter(
        (entry) =>
          entry.method.toLowerCase().includes(method.toLowerCase()) &&
          entry.caller.label.toLowerCase().includes(user.toLowerCase()) &&
          (status === 'all' || (status === 'ok' ? entry.status < 400 : entry.status >= 400)),
      ),
    [entries, method, status, user],
  );

  async function show(entry: Entry) {
    try {
      const { entry: full } = await consoleApi.get<{ entry: Entry }>(`requests/${entry.seq}`);
      setOpen(full);
    } catch (caught) {
      setError(errorText(caught));
    }
  }

  async function clear() {
    await consoleApi.post('requests/clear').catch((caught: unknown) => setError(errorText(caught)));
    setEntries([]);
    setOpen(null);
  }

  return (
    <div className="requests">
      <form className="filters" role="search" onSubmit={(event) => event.preventDefault()}>
        <label>
          Method
          <input value={method} onChange={(event) => setMethod(event.target.value)} placeholder="notes.list" />
        </label>
        <label>
          Status
          <select value={status} onChange={(event) => setStatus(event.target.value as StatusFilter)}>
            <option value="all">All</option>
            <option value="ok">Succeeded</option>
            <option value="error">Failed</option>
          </select>
        </label>
        <label>
          User
          <input value={user} onChange={(event) => setUser(event.target.value)} placeholder="email or sub" />
        </label>
        <button type="button" className="button secondary" onClick={() => void clear()}>
          Clear log
        </button>
      </form>
      <ErrorNote text={error} />
      {shown.length === 0 ? (
        <p className="empty">No calls yet. Use the app; its calls appear here as they happen.</p>
      ) : (
        <ol className="log" aria-label="Requests" aria-live="polite">
          {shown.map((entry) => (
            <li key={entry.seq} className={entry.status >= 400 ? 'failed' : undefined}>
              <button type="button" className="log-row" aria-expanded={open?.seq === entry.seq} onClick={() => void (open?.seq === entry.seq ? setOpen(null) : show(entry))}>
                <span className="log-method">{entry.method}</span>
                <span className={`status s${Math.floor(entry.status / 100)}`}>
                  {entry.job ? entry.job.outcome : entry.status}
                  {entry.errorCode !== undefined && ` (${entry.errorCode})`}
                </span>
                <span className="log-caller">{entry.caller.label}</span>
                <span className="log-time">
                  <time dateTime={entry.time}>{new Date(entry.time).toLocaleTimeString()}</time> · {entry.durationMs} ms
                </span>
              </button>
              {open?.seq === entry.seq && (
                <div className="log-detail">
                  {open.errorMessage && <p className="error">{open.errorMessage}</p>}
                  <p className="meta">
                    {open.caller.sub && <span>sub {open.caller.sub}</span>}
                    {open.requestId && <span>{open.job ? 'enqueued by request' : 'request id'} {open.requestId}</span>}
                    {open.job?.jobId && <span>job {open.job.jobId}</span>}
                    {open.job?.attempt !== undefined && <span>attempt {open.job.attempt}</span>}
                    {open.job?.scheduledTime && <span>due {new Date(open.job.scheduledTime).toLocaleString()}</span>}
                  </p>
                  <h4>{open.job ? 'Payload' : 'Params'}</h4>
                  <JsonView value={open.params} label={open.job ? 'Payload' : 'Params'} />
                  {open.job ? null : <h4>Result</h4>}
                  {open.job ? null : open.resultSkipped ? (
                    <p className="meta">Not kept: the console was closed when this call was made (results are recorded while a console page is open).</p>
                  ) : (
                    <JsonView value={open.result} label="Result" />
                  )}
                </div>
              )}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
