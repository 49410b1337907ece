/**
 * A note's attachments: pick or drop images and PDFs (up to 10 MB), watch
 * the upload's progress, see image thumbnails, download or remove a file.
 * Files go from the browser straight to storage through presigned URLs;
 * the API only issues them, for the note's owner.
 */
import { useCallback, useEffect, useId, useRef, useState, type DragEvent } from 'react';
import { uploadFile } from 'blocks-kit/client';
import { blocks, type Attachment } from './blocks';
import { errorMessage } from './error-message';

/** The server checks it; a wrong type comes back as a readable 400. */
type AttachmentType = Parameters<typeof blocks.notes.attachmentUploadUrl>[0]['contentType'];

const ACCEPT = 'image/png,image/jpeg,image/gif,image/webp,application/pdf';

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

export function Attachments({ noteId, label }: { noteId: string; label: string }) {
  const [files, setFiles] = useState<Attachment[]>([]);
  const [uploading, setUploading] = useState<{ name: string; loaded: number; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();

  const reload = useCallback(async () => {
    setFiles(await blocks.notes.attachments({ noteId }));
  }, [noteId]);

  useEffect(() => {
    let active = true; // the note may be deleted before the answer
    blocks.notes.attachments({ noteId }).then(
      (list) => active && setFiles(list),
      (caught: unknown) => active && setError(errorMessage(caught)),
    );
    return () => {
      active = false;
    };
  }, [noteId]);

  async function attach(file: File) {
    setError(null);
    setUploading({ name: file.name, loaded: 0, total: file.size });
    try {
      const { upload } = await blocks.notes.attachmentUploadUrl({ noteId, name: file.name, contentType: file.type as AttachmentType, size: file.size });
      await uploadFile(upload, file, { onProgress: (progress) => setUploading({ name: file.name, ...progress }) });
      await reload();
    } catch (caught) {
      setError(`${file.name}: ${errorMessage(caught)}`);
    } finally {
      setUploading(null);
      if (input.current) input.current.value = '';
    }
  }

  async function remove(file: Attachment) {
    setError(null);
    try {
      await blocks.notes.removeAttachment({ noteId, id: file.id });
      setFiles((current) => current.filter((f) => f.id !== file.id));
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  function drop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file && !uploading) void attach(file);
  }

  return (
    <div
      className={`attachments${dragging ? ' dragging' : ''}`}
      onDragOver={(event) => (event.preventDefault(), setDragging(true))}
      onDragLeave={() => setDragging(false)}
      onDrop={drop}
      aria-label={`Attachments of ${label}`}
      role="group"
    >
      {files.length > 0 && (
        <ul className="files" aria-label="Attached files">
          {files.map((file) => (
            <li key={file.id} className="file">
              {file.contentType.startsWith('image/') ? (
                <img className="thumb" src={file.viewUrl} alt={file.name} loading="lazy" />
              ) : (
                <span className="thumb doc" aria-hidden="true">
                  PDF
                </span>
              )}
              <span className="file-name">{file.name}</span>
              <span className="file-size">{formatSize(file.size)}</span>
              <a className="button link" href={file.downloadUrl} download={file.name} aria-label={`Download ${file.name}`}>
                Download
              </a>
              <button type="button" className="button link danger" onClick={() => void remove(file)} aria-label={`Remove ${file.name}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {uploading && (
        <div className="upload-progress">
          <span>Uploading {uploading.name}…</span>
          <progress aria-label={`Uploading ${uploading.name}`} value={uploading.loaded} max={uploading.total || 1} />
        </div>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <label htmlFor={inputId} className="attach-label">
        Attach a file <span className="hint">(image or PDF, up to 10 MB, or drop it here)</span>
      </label>
      <input
        ref={input}
        id={inputId}
        type="file"
        accept={ACCEPT}
        disabled={uploading !== null}
        onChange={(event) => {
          const file = event.target.files?.[0];
          if (file) void attach(file);
        }}
      />
    </div>
  );
}
