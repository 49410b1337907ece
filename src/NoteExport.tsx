import { useEffect, useState } from 'react';
import { blocks, type NoteExport } from './blocks';
import { errorMessage } from './error-message';

/** How often the state of an export on its way is asked for. */
const POLL_MS = 1000;

const STATE_TEXT: Record<NoteExport['state'], string> = {
  queued: 'Export requested: it will be emailed to you shortly.',
  writing: 'Writing your export…',
  sent: 'Export emailed',
  failed: 'The export failed; try again.',
};

/**
 * "Email me an export": asks the API for one (a background job writes the
 * file and sends the email) and shows the request's state until it is sent.
 */
export function NoteExportPanel() {
  const [current, setCurrent] = useState<NoteExport | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const pending = current?.state === 'queued' || current?.state === 'writing';

  useEffect(() => {
    let active = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () =>
      blocks.noteExports.latest().then(
        (latest) => {
          if (!active) return;
          setCurrent(latest);
          if (latest?.state === 'queued' || latest?.state === 'writing') timer = setTimeout(refresh, POLL_MS);
        },
        (caught: unknown) => active && setError(errorMessage(caught)),
      );
    // Once on mount, then while an export is on its way.
    if (current === null || pending) void refresh();
    return () => {
      active = false;
      clearTimeout(timer);
    };
    // Re-armed when a request starts one.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [pending]);

  async function request() {
    setBusy(true);
    setError(null);
    try {
      setCurrent(await blocks.noteExports.request());
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="note-export" aria-label="Export">
      <button type="button" className="button secondary" disabled={busy || pending} onClick={() => void request()}>
        Email me an export
      </button>
      <p role="status" aria-live="polite">
        {current && STATE_TEXT[current.state]}
        {current?.state === 'sent' && current.finishedAt && ` ${new Date(current.finishedAt).toLocaleString()}`}
        {current?.downloadUrl && (
          <>
            {' '}
            <a href={current.downloadUrl} download="notes-export.md">
              Download export
            </a>
          </>
        )}
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
