/**
 * The local FileBucket's storage and the two routes the dev server serves
 * for it, under `/aws-blocks/files/<scope>/<id>`:
 * - `POST` (the upload URL): a form upload shaped like an S3 presigned POST,
 *   whose signed policy fixes the key, the content type, the largest size and
 *   the expiry; the file streams to disk and is refused (413) once it passes
 *   the limit, a different type is 415, an expired or altered policy 403;
 * - `GET`/`HEAD` `/<key>` (the download URL): signed and expiring like a
 *   presigned GET, with single `Range` requests.
 * URLs are root-relative: the browser resolves them against the dev server,
 * which also serves the API, so they work whatever host and port it uses.
 */
import { ForbiddenError, isApiError } from '../../core/errors.js';
import type { HttpRoute, RouteRequest, RouteResponse } from '../../core/routes.js';
import type { LocalSigner } from './local-signing.js';
import type { LocalObjects } from './local-storage.js';
import { boundaryOf, readFilePart } from './multipart.js';
import { contentDisposition, UnsupportedMediaTypeError, type DownloadGrant, type UploadGrant } from './rules.js';
import type { FileStorage } from './storage.js';
import type { FileInfo, ListFilesResult, StoredFile } from './types.js';

/** How much of a refused upload is still read, so the client gets the refusal instead of a reset connection. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

interface UploadPolicy {
  readonly bucket: string;
  readonly key: string;
  readonly contentType: string;
  readonly maxBytes: number;
  /** Epoch seconds. */
  readonly expires: number;
}

const now = (): number => Math.floor(Date.now() / 1000);

const encodeKey = (key: string): string => key.split('/').map(encodeURIComponent).join('/');

export class LocalFileStorage implements FileStorage {
  readonly #objects: LocalObjects;
  readonly #signer: LocalSigner;
  /** `<scope>/<id>`: signed into every URL, so one bucket's URL never opens another. */
  readonly #bucket: string;
  readonly #base: string;

  constructor(objects: LocalObjects, signer: LocalSigner, scopeName: string, id: string) {
    this.#objects = objects;
    this.#signer = signer;
    this.#bucket = `${scopeName}/${id}`;
    this.#base = `/aws-blocks/files/${encodeURIComponent(scopeName)}/${encodeURIComponent(id)}`;
  }

  async createUpload(grant: UploadGrant): Promise<{ url: string; fields: Record<string, string> }> {
    const policy: UploadPolicy = { bucket: this.#bucket, key: grant.key, contentType: grant.contentType, maxBytes: grant.maxBytes, expires: grant.expiresAt };
    const encoded = Buffer.from(JSON.stringify(policy)).toString('base64url');
    return {
      url: this.#base,
      fields: { key: grant.key, 'Content-Type': grant.contentType, policy: encoded, signature: await this.#signer.sign('upload', [encoded]) },
    };
  }

  async createDownload(grant: DownloadGrant): Promise<string> {
    const filename = grant.filename ?? '';
    const expires = String(grant.expiresAt);
    const signature = await this.#signer.sign('download', [this.#bucket, grant.key, expires, filename]);
    const query = new URLSearchParams({ expires, ...(filename && { filename }), signature });
    return `${this.#base}/${encodeKey(grant.key)}?${query}`;
  }

  head(key: string): Promise<FileInfo | undefined> {
    return this.#objects.head(key);
  }

  delete(key: string): Promise<void> {
    return this.#objects.delete(key);
  }

  list(options: { prefix: string; limit: number; cursor: string | undefined }): Promise<ListFilesResult> {
    return this.#objects.list(options);
  }

  put(key: string, bytes: Uint8Array, contentType: string): Promise<FileInfo> {
    return this.#objects.put(key, bytes, contentType);
  }

  get(key: string): Promise<StoredFile | undefined> {
    return this.#objects.get(key);
  }

  routes(): HttpRoute[] {
    return [
      { method: 'POST', path: this.#base, streamBody: true, handle: (request) => this.#upload(request) },
      { method: 'GET', path: `${this.#base}/*key`, handle: (request) => this.#download(request) },
    ];
  }

  async #upload(request: RouteRequest): Promise<RouteResponse> {
    const body = request.stream ?? (async function* () {
      yield request.body;
    })();
    const part = await readFilePart(body, boundaryOf(request.headers.get('content-type')));
    try {
      const policy = await this.#uploadPolicy(part.fields);
      await this.#objects.putStream(policy.key, part.body, policy.contentType, policy.maxBytes);
    } catch (error) {
      // A refusal (403, 413, 415) before the client has sent its whole file: read the rest
      // first, or a client still sending sees a broken pipe instead of the answer (fetch in
      // Node 22 and later reports EPIPE). Anything else closes the connection.
      if (isApiError(error)) await part.drain(DRAIN_LIMIT);
      throw error;
    }
    await part.drain(DRAIN_LIMIT);
    // What S3 answers a POST upload without success_action_status.
    return { status: 204 };
  }

  /** The signed policy of an upload form, checked against its fields: 403 or 415 when they differ. */
  async #uploadPolicy(fields: ReadonlyMap<string, string>): Promise<UploadPolicy> {
    const field = (name: string): string | undefined => fields.get(name) ?? [...fields].find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
    const encoded = field('policy') ?? '';
    await this.#signer.verify('upload', [encoded], field('signature'));
    const policy = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as UploadPolicy;
    if (policy.bucket !== this.#bucket) throw new ForbiddenError('This upload URL belongs to another bucket');
    if (policy.expires < now()) throw new ForbiddenError('This upload URL has expired');
    if (field('key') !== policy.key) throw new ForbiddenError('The key differs from the signed one');
    if (field('content-type') !== policy.contentType) throw new UnsupportedMediaTypeError(`This upload URL accepts ${policy.contentType} only`);
    return policy;
  }

  async #download(request: RouteRequest): Promise<RouteResponse> {
    const key = request.params.key ?? '';
    const expires = request.query.get('expires') ?? '';
    const filename = request.query.get('filename') ?? '';
    await this.#signer.verify('download', [this.#bucket, key, expires, filename], request.query.get('signature'));
    if (!/^\d{1,12}$/.test(expires) || Number(expires) < now()) throw new ForbiddenError('This download URL has expired');
    const headers: Record<string, string> = {
      'accept-ranges': 'bytes',
      // Files are served from the app's own origin in development: an uploaded SVG or HTML must not run as the app.
      'content-security-policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
      // Never cached past the URL's own lifetime.
      'cache-control': `private, max-age=${Math.max(0, Number(expires) - now())}`,
      ...(filename && { 'content-disposition': contentDisposition(filename) }),
    };
    if (request.method === 'HEAD') {
      const found = await this.#objects.head(key);
      if (!found) return notFound();
      return { status: 200, headers: { ...headers, ...objectHeaders(found), 'content-length': String(found.size) } };
    }
    const found = await this.#objects.read(key);
    if (!found) return notFound();
    Object.assign(headers, objectHeaders(found.info));
    const range = parseRange(request.headers.get('range'), found.bytes.byteLength);
    if (range === 'unsatisfiable') {
      return { status: 416, headers: { ...headers, 'content-range': `bytes */${found.bytes.byteLength}` }, body: '' };
    }
    if (range) {
      const [start, end] = range;
      headers['content-range'] = `bytes ${start}-${end}/${found.bytes.byteLength}`;
      return { status: 206, headers, body: found.bytes.subarray(start, end + 1) };
    }
    return { status: 200, headers, body: found.bytes };
  }
}

function objectHeaders(info: FileInfo): Record<string, string> {
  return { 'content-type': info.contentType, etag: `"${info.etag}"`, 'last-modified': new Date(info.lastModified).toUTCString() };
}

function notFound(): RouteResponse {
  return { status: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'NotFoundError', message: 'No such file' }) };
}

/** One `bytes=` range as [first, last] inclusive; undefined to send everything (absent or multiple ranges). */
export function parseRange(header: string | null, size: number): [number, number] | 'unsatisfiable' | undefined {
  const match = header === null ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return [start, end];
}
