/**
 * What every panel shares: the section a panel renders, a hook to call its
 * actions, and small pieces (an error line, a JSON view) so panels look
 * alike. Block folders' console-ui.tsx files import from here.
 */
import { useCallback, useState, type ReactNode } from 'react';
import { consoleApi, errorText } from './api';

/** One Block's section, as `GET /_blocks/api/sections` lists it. */
export interface SectionInfo {
  readonly key: string;
  readonly kind: string;
  readonly ui: string;
  readonly tab: string;
  readonly info: Readonly<Record<string, unknown>>;
  readonly actions: readonly string[];
}

/** What a Block folder's console-ui.tsx exports as `panel`. */
export interface ConsolePanelUi {
  /** Matches the server section's `ui`. */
  readonly id: string;
  readonly Panel: (props: { readonly section: SectionInfo }) => ReactNode;
}

/** Calls `action` of `section`; a Block's section key is `<scope>/<id>`. */
export function callAction<T>(section: SectionInfo, action: string, input: object = {}): Promise<T> {
  const [scope = '', id = ''] = section.key.split('/');
  return consoleApi.post<T>(`blocks/${encodeURIComponent(scope)}/${encodeURIComponent(id)}/${encodeURIComponent(action)}`, input);
}

/** Runs async work with a busy flag and an error message for the panel to show. */
export function useBusy(): { busy: boolean; error: string | null; setError: (text: string | null) => void; run: (work: () => Promise<void>) => Promise<void> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}

export function ErrorNote({ text }: { readonly text: string | null }) {
  return text ? (
    <p className="error" role="alert">
      {text}
    </p>
  ) : null;
}

export function JsonView({ value, label }: { readonly value: unknown; readonly label: string }) {
  return (
    <pre className="json" aria-label={label} tabIndex={0}>
      {value === undefined ? '(none)' : JSON.stringify(value, null, 2)}
    </pre>
  );
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** Saves text as a file the browser downloads. */
export function downloadText(name: string, text: string, type = 'application/x-ndjson'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The next page of a paged list, while there is one (`cursor` from the last page). */
export function LoadMore({ cursor, busy, onLoad }: { readonly cursor: string | undefined | null; readonly busy: boolean; readonly onLoad: (cursor: string) => void }): ReactNode {
  if (!cursor) return null;
  return (
    <button type="button" className="button secondary" disabled={busy} onClick={() => onLoad(cursor)}>
      Load more
    </button>
  );
}
