import { useEffect, useState, type FormEvent } from 'react';
import { Attachments } from './Attachments';
import { NoteExportPanel } from './NoteExport';
import { blocks, type Note } from './blocks';
import { errorMessage } from './error-message';

const PAGE_SIZE = 20;

export function NotesPage() {
  const [notes, setNotes] = useState<Note[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    let active = true; // StrictMode and fast sign-outs unmount before the answer
    blocks.notes
      .list({ limit: PAGE_SIZE })
      .then(
        (page) => {
          if (!active) return;
          setNotes(page.items);
          setCursor(page.cursor);
        },
        (caught: unknown) => active && setError(errorMessage(caught)),
      )
      .finally(() => active && setLoading(false));
    return () => {
      active = false;
    };
  }, []);

  async function loadMore() {
    if (!cursor) return;
    setLoading(true);
    setError(null);
    try {
      const page = await blocks.notes.list({ limit: PAGE_SIZE, cursor });
      setNotes((current) => [...current, ...page.items]);
      setCursor(page.cursor);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setLoading(false);
    }
  }

  async function create(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    setError(null);
    try {
      const note = await blocks.notes.create({ text: draft });
      setNotes((current) => [note, ...current]);
      setDraft('');
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setSaving(false);
    }
  }

  const replace = (note: Note) => setNotes((current) => current.map((n) => (n.id === note.id ? note : n)));
  const remove = (id: string) => setNotes((current) => current.filter((n) => n.id !== id));

  return (
    <section className="page" aria-labelledby="notes-heading">
      <h2 id="notes-heading">My notes</h2>
      <form className="composer" onSubmit={create}>
        <label htmlFor="new-note">New note</label>
        <textarea
          id="new-note"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          rows={3}
          maxLength={10_000}
          placeholder="Write something…"
        />
        <button type="submit" className="button" disabled={saving || draft.trim() === ''}>
          {saving ? 'Saving…' : 'Add note'}
        </button>
      </form>
      <div role="alert" aria-live="assertive" className={error ? 'error' : 'visually-hidden'}>
        {error}
      </div>
      {loading && notes.length === 0 ? (
        <p role="status">Loading notes…</p>
      ) : notes.length === 0 && !error ? (
        <p className="empty">No notes yet. Your first one is a sentence away.</p>
      ) : (
        <ul className="notes" aria-label="Notes">
          {notes.map((note) => (
            <NoteItem key={note.id} note={note} onSaved={replace} onDeleted={remove} onError={setError} />
          ))}
        </ul>
      )}
      <NoteExportPanel />
      {cursor && (
        <button type="button" className="button secondary" disabled={loading} onClick={() => void loadMore()}>
          {loading ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}

function NoteItem({
  note,
  onSaved,
  onDeleted,
  onError,
}: {
  note: Note;
  onSaved: (note: Note) => void;
  onDeleted: (id: string) => void;
  onError: (message: string | null) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(note.text);
  const [busy, setBusy] = useState(false);

  async function run(action: () => Promise<void>) {
    setBusy(true);
    onError(null);
    try {
      await action();
    } catch (caught) {
      onError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  const save = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      onSaved(await blocks.notes.update({ id: note.id, text, version: note.version }));
      setEditing(false);
    });
  };

  const edited = note.updatedAt !== note.createdAt;
  return (
    <li className="note">
      {editing ? (
        <form onSubmit={save} className="edit">
          <label htmlFor={`edit-${note.id}`} className="visually-hidden">
            Edit note
          </label>
          <textarea id={`edit-${note.id}`} value={text} onChange={(e) => setText(e.target.value)} rows={3} autoFocus />
          <div className="actions">
            <button type="submit" className="button" disabled={busy || text.trim() === ''}>
              Save
            </button>
            <button type="button" className="button secondary" onClick={() => (setEditing(false), setText(note.text))}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <>
          <p className="note-text">{note.text}</p>
          <Attachments noteId={note.id} label={note.text.slice(0, 40)} />
          <div className="meta">
            <time dateTime={note.updatedAt}>
              {edited ? 'Edited ' : ''}
              {new Date(note.updatedAt).toLocaleString()}
            </time>
            <div className="actions">
              <button type="button" className="button link" onClick={() => setEditing(true)} aria-label={`Edit note: ${note.text.slice(0, 40)}`}>
                Edit
              </button>
              <button
                type="button"
                className="button link danger"
                disabled={busy}
                aria-label={`Delete note: ${note.text.slice(0, 40)}`}
                onClick={() => void run(async () => (await blocks.notes.delete({ id: note.id }), onDeleted(note.id)))}
              >
                Delete
              </button>
            </div>
          </div>
        </>
      )}
    </li>
  );
}
