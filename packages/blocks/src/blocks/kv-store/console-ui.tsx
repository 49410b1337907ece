/**
 * KVStore's panel in the console page (its server side is console.ts):
 * browse by prefix, open an item as JSON with version and TTL, save with
 * the version it was read at (a newer write shows as a conflict), create,
 * delete, export and import JSON lines.
 */
import { useCallback, useEffect, useState, type ChangeEvent, type FormEvent } from 'react';
import { callAction, downloadText, ErrorNote, formatTime, LoadMore, useBusy, type ConsolePanelUi, type SectionInfo } from '../../dev/console/ui/kit';

interface Item {
  readonly key: string;
  readonly value: unknown;
  readonly version: number;
  readonly expiresAt?: string;
}

interface Page {
  readonly items: Item[];
  readonly cursor?: string;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function KVStorePanel({ section }: { readonly section: SectionInfo }) {
  const [prefix, setPrefix] = useState('');
  const [items, setItems] = useState<Item[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [selected, setSelected] = useState<Item | null>(null);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const { busy, error, setError, run } = useBusy();

  const load = useCallback(
    (more?: string) =>
      run(async () => {
        const page = await callAction<Page>(section, 'list', { prefix, ...(more && { cursor: more }) });
        setItems((current) => (more ? [...current, ...page.items] : page.items));
        setCursor(page.cursor);
      }),
    [run, section, prefix],
  );

  useEffect(() => {
    void load();
    // Reload on a new section only; the prefix applies when the form is sent.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [section.key]);

  const exportLines = () =>
    run(async () => {
      const { lines } = await callAction<{ lines: string }>(section, 'export', { prefix });
      downloadText(`${section.key.replace('/', '-')}.jsonl`, lines);
      setNotice(`Exported ${lines ? lines.trimEnd().split('\n').length : 0} items.`);
    });

  const importLines = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    void run(async () => {
      const { imported } = await callAction<{ imported: number }>(section, 'import', { lines: await file.text() });
      setNotice(`Imported ${imported} items.`);
      await load();
    });
  };

  return (
    <div className="kv">
      <form
        className="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          setSelected(null);
          void load();
        }}
      >
        <label>
          Key prefix
          <input value={prefix} onChange={(event) => setPrefix(event.target.value)} placeholder="(all keys)" />
        </label>
        <button type="submit" className="button secondary" disabled={busy}>
          Browse
        </button>
        <button
          type="button"
          className="button secondary"
          onClick={() => {
            setCreating(true);
            setSelected(null);
          }}
        >
          New item
        </button>
        <button type="button" className="button secondary" disabled={busy} onClick={() => void exportLines()}>
          Export JSON lines
        </button>
        <label className="file-button">
          Import JSON lines
          <input type="file" accept=".jsonl,.ndjson,application/x-ndjson,text/plain" onChange={importLines} />
        </label>
      </form>
      <ErrorNote text={error} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {creating && (
        <ItemEditor
          section={section}
          item={null}
          onDone={(saved) => {
            setCreating(false);
            if (saved) {
              setSelected(saved);
              void load();
            }
          }}
        />
      )}
      {items.length === 0 ? (
        <p className="empty">No items{prefix ? ` under “${prefix}”` : ''}.</p>
      ) : (
        <ul className="rows" aria-label={`Items in ${section.key}`}>
          {items.map((item) => (
            <li key={item.key}>
              <button
                type="button"
                className="row-button"
                aria-expanded={selected?.key === item.key}
                onClick={() => {
                  setError(null);
                  setCreating(false);
                  setSelected(selected?.key === item.key ? null : item);
                }}
              >
                <code className="key">{item.key}</code>
                <span className="meta">
                  v{item.version}
                  {item.expiresAt && ` · expires ${formatTime(item.expiresAt)}`}
                </span>
                <span className="preview">{preview(item.value)}</span>
              </button>
              {selected?.key === item.key && (
                <ItemEditor
                  section={section}
                  item={selected}
                  onDone={(saved) => {
                    if (saved) setItems((current) => current.map((row) => (row.key === saved.key ? saved : row)));
                    else setItems((current) => current.filter((row) => row.key !== item.key));
                    setSelected(saved);
                  }}
                />
              )}
            </li>
          ))}
        </ul>
      )}
      <LoadMore cursor={cursor} busy={busy} onLoad={(next) => void load(next)} />
    </div>
  );
}

/** Edits one item (or a new one when `item` is null); `onDone` gets the saved item, or null after a delete or cancel. */
function ItemEditor({ section, item, onDone }: { section: SectionInfo; item: Item | null; onDone: (saved: Item | null) => void }) {
  const [key, setKey] = useState(item?.key ?? '');
  const [text, setText] = useState(item ? JSON.stringify(item.value, null, 2) : '{\n  \n}');
  const [ttl, setTtl] = useState('');
  const { busy, error, setError, run } = useBusy();
  const [conflict, setConflict] = useState<Item | null>(null);

  const save = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseJson(text);
    if (!parsed.ok) return setError('The value is not valid JSON.');
    const ttlSeconds = ttl.trim() === '' ? undefined : Number(ttl);
    if (ttlSeconds !== undefined && !(Number.isSafeInteger(ttlSeconds) && ttlSeconds > 0)) return setError('TTL is a whole number of seconds.');
    void run(async () => {
      try {
        const { item: saved } = await callAction<{ item: Item }>(section, 'put', {
          key,
          value: parsed.value,
          ...(item ? { ifVersion: item.version } : { create: true }),
          ...(ttlSeconds !== undefined && { ttlSeconds }),
        });
        setConflict(null);
        onDone(saved);
      } catch (caught) {
        if ((caught as { status?: number }).status === 409 && item) {
          const { item: current } = await callAction<{ item: Item | null }>(section, 'get', { key });
          setConflict(current);
        }
        throw caught;
      }
    });
  };

  const remove = () => {
    if (!item || !window.confirm(`Delete ${item.key}?`)) return;
    void run(async () => {
      await callAction(section, 'delete', { key: item.key, ifVersion: item.version });
      onDone(null);
    });
  };

  return (
    <form className="editor" onSubmit={save} aria-label={item ? `Edit ${item.key}` : 'New item'}>
      {item ? (
        <p className="meta">
          <span>version {item.version}</span>
          <span>{item.expiresAt ? `expires ${formatTime(item.expiresAt)}` : 'no TTL'}</span>
        </p>
      ) : (
        <label>
          Key
          <input value={key} onChange={(event) => setKey(event.target.value)} required />
        </label>
      )}
      <label>
        Value (JSON)
        <textarea value={text} onChange={(event) => setText(event.target.value)} rows={Math.min(16, text.split('\n').length + 1)} spellCheck={false} className="code-input" />
      </label>
      <label>
        TTL in seconds (optional{item?.expiresAt ? '; empty removes it' : ''})
        <input inputMode="numeric" value={ttl} onChange={(event) => setTtl(event.target.value)} />
      </label>
      <ErrorNote text={error} />
      {conflict !== null && (
        <div className="conflict" role="alert">
          <p>Someone wrote this item since you opened it (now version {conflict.version}). Their value:</p>
          <pre className="json">{JSON.stringify(conflict.value, null, 2)}</pre>
          <button type="button" className="button secondary" onClick={() => onDone(conflict)}>
            Reload their version
          </button>
        </div>
      )}
      <div className="actions wrap">
        <button type="submit" className="button" disabled={busy}>
          {item ? 'Save' : 'Create'}
        </button>
        {item ? (
          <button type="button" className="button danger" disabled={busy} onClick={remove}>
            Delete
          </button>
        ) : (
          <button type="button" className="button secondary" onClick={() => onDone(null)}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

export const panel: ConsolePanelUi = { id: 'kv-store', Panel: KVStorePanel };
