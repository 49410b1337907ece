/** FileBucket's panel in the console page (server side: console.ts): list, preview images, download, delete. */
import { useCallback, useEffect, useState } from 'react';
import { callAction, ErrorNote, formatTime, LoadMore, useBusy, type ConsolePanelUi, type SectionInfo } from '../../dev/console/ui/kit';

interface FileRow {
  readonly key: string;
  readonly size: number;
  readonly lastModified: string;
}

interface OpenFile extends FileRow {
  readonly contentType: string;
  readonly viewUrl: string;
  readonly downloadUrl: string;
}

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function FileBucketPanel({ section }: { readonly section: SectionInfo }) {
  const [prefix, setPrefix] = useState('');
  const [files, setFiles] = useState<FileRow[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [open, setOpen] = useState<OpenFile | null>(null);
  const { busy, error, run } = useBusy();

  const load = useCallback(
    (more?: string) =>
      run(async () => {
        const page = await callAction<{ items: FileRow[]; cursor?: string }>(section, 'list', { prefix, ...(more && { cursor: more }) });
        setFiles((current) => (more ? [...current, ...page.items] : page.items));
        setCursor(page.cursor);
      }),
    [run, section, prefix],
  );
  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [section.key]);

  const show = (key: string) =>
    run(async () => {
      const { file } = await callAction<{ file: OpenFile | null }>(section, 'open', { key });
      setOpen(file);
    });
  const remove = (key: string) => {
    if (!window.confirm(`Delete ${key}?`)) return;
    void run(async () => {
      await callAction(section, 'delete', { key });
      setOpen(null);
      setFiles((current) => current.filter((file) => file.key !== key));
    });
  };

  return (
    <div>
      <form
        className="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          void load();
        }}
      >
        <label>
          Key prefix
          <input value={prefix} onChange={(event) => setPrefix(event.target.value)} placeholder="(all files)" />
        </label>
        <button type="submit" className="button secondary" disabled={busy}>
          Browse
        </button>
      </form>
      <ErrorNote text={error} />
      {files.length === 0 ? (
        <p className="empty">No files{prefix ? ` under “${prefix}”` : ''}.</p>
      ) : (
        <ul className="rows" aria-label={`Files in ${section.key}`}>
          {files.map((file) => (
            <li key={file.key}>
              <button type="button" className="row-button" aria-expanded={open?.key === file.key} onClick={() => (open?.key === file.key ? setOpen(null) : void show(file.key))}>
                <code className="key">{file.key}</code>
                <span className="meta">
                  {size(file.size)} · {formatTime(file.lastModified)}
                </span>
              </button>
              {open?.key === file.key && (
                <div className="file-detail">
                  {open.contentType.startsWith('image/') ? <img className="preview-image" src={open.viewUrl} alt={`Preview of ${open.key}`} /> : <p className="meta">{open.contentType}</p>}
                  <div className="actions wrap">
                    <a className="button secondary" href={open.downloadUrl}>
                      Download
                    </a>
                    <button type="button" className="button danger" disabled={busy} onClick={() => remove(open.key)}>
                      Delete
                    </button>
                  </div>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      <LoadMore cursor={cursor} busy={busy} onLoad={(next) => void load(next)} />
    </div>
  );
}

export const panel: ConsolePanelUi = { id: 'file-bucket', Panel: FileBucketPanel };
