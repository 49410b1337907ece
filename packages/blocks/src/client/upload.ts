/**
 * Uploads a file to a FileBucket's presigned POST (`createUploadUrl`'s
 * `{ url, fields }`) straight from the browser: S3 when deployed, the dev
 * server locally, never through the API. XMLHttpRequest rather than fetch,
 * because only it reports upload progress.
 */
import { ApiError } from '../core/errors.js';

export interface PresignedPost {
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
}

export interface UploadFileOptions {
  /** Called as bytes leave the browser. */
  readonly onProgress?: (progress: { loaded: number; total: number }) => void;
  readonly signal?: AbortSignal;
  /** Resolves a root-relative URL (the local dev server's); default the page's address. */
  readonly baseUrl?: string;
}

/** The storage's own words: `{ message }` from the dev server, `<Message>` from S3. */
function messageOf(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: S3 answers XML
  }
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  if (code === 'EntityTooLarge') return 'The file is larger than this upload allows';
  if (code === 'AccessDenied' && /expired/i.test(body)) return 'The upload link expired; try again';
  return /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? `Upload failed (HTTP ${status})`;
}

function statusOf(status: number, body: string): number {
  // S3 refuses an oversized POST with 400 EntityTooLarge; callers branch on 413 as locally.
  return status === 400 && body.includes('<Code>EntityTooLarge</Code>') ? 413 : status;
}

export function uploadFile(upload: PresignedPost, file: Blob, options: UploadFileOptions = {}): Promise<void> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  // Last, as S3 requires: fields after the file are ignored.
  form.append('file', file);
  const base = options.baseUrl ?? (typeof location === 'undefined' ? undefined : location.href);
  const url = new URL(upload.url, base).href;

  if (typeof XMLHttpRequest === 'undefined') {
    return fetch(url, { method: 'POST', body: form, ...(options.signal && { signal: options.signal }) }).then(async (response) => {
      if (response.ok) return;
      const body = await response.text();
      throw new ApiError(messageOf(response.status, body), statusOf(response.status, body));
    });
  }
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.upload.onprogress = (event) => options.onProgress?.({ loaded: event.loaded, total: event.lengthComputable ? event.total : file.size });
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else reject(new ApiError(messageOf(xhr.status, xhr.responseText), statusOf(xhr.status, xhr.responseText)));
    };
    xhr.onerror = () => reject(new TypeError('The upload could not reach storage'));
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
    options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}
