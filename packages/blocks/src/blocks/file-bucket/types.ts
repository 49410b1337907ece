/**
 * The FileBucket contract every variant meets (local files, S3), and the
 * shapes its methods return. One behaviour suite (testing/suite.ts) runs
 * against each storage, so an app sees the same answers locally and deployed.
 */

export interface FileBucketOptions {
  /**
   * Content types an upload or `put` may declare: exact (`application/pdf`)
   * or a whole family (`image/*`). Default: any well-formed type.
   */
  readonly allowedContentTypes?: readonly string[];
  /** Largest object, in bytes; default 10 MiB, at most 5 GiB (S3's limit for one POST upload). */
  readonly maxBytes?: number;
  /**
   * An extra rule keys must match, e.g. `/^[^/]+\/[0-9a-z-]+\/[^/]+$/` for
   * `<owner>/<note>/<file>`. The built-in rules (no `..`, no leading `/`, no
   * control characters, at most 1,024 UTF-8 bytes) always apply.
   */
  readonly keyPattern?: RegExp;
}

export interface UploadUrlOptions {
  /** The content type the upload must declare; checked against `allowedContentTypes`. */
  readonly contentType: string;
  /** Largest accepted upload for this URL; default and ceiling: the bucket's `maxBytes`. */
  readonly maxBytes?: number;
  /** Seconds the URL stays valid; default 300, at most 3,600. */
  readonly expiresIn?: number;
}

/**
 * A presigned form upload: POST a `multipart/form-data` body to `url` with
 * every entry of `fields` first and the file last, in a part named `file`.
 */
export interface PresignedUpload {
  /** Absolute (S3) or root-relative (local dev server, same origin as the API). */
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly key: string;
  readonly maxBytes: number;
  readonly contentType: string;
  /** ISO time after which storage refuses the upload. */
  readonly expiresAt: string;
}

export interface DownloadUrlOptions {
  /** Seconds the URL stays valid; default 300, at most 3,600 (7 days is S3's ceiling, a short one is kinder to leaks). */
  readonly expiresIn?: number;
  /** Download under this name (`Content-Disposition: attachment`); omitted, browsers show the file inline (thumbnails). */
  readonly filename?: string;
}

export interface PresignedDownload {
  readonly url: string;
  readonly expiresAt: string;
}

/** What a listing knows about an object. */
export interface FileSummary {
  readonly key: string;
  readonly size: number;
  /** ISO time of the last write. */
  readonly lastModified: string;
  /** Changes whenever the bytes change; compare, don't parse. */
  readonly etag: string;
}

/** What `head` knows: a listing's summary plus the stored content type. */
export interface FileInfo extends FileSummary {
  readonly contentType: string;
}

export interface StoredFile extends FileInfo {
  readonly bytes: Uint8Array;
  /** The bytes as UTF-8 text. */
  text(): string;
}

export interface ListFilesOptions {
  readonly prefix?: string;
  /** Page size, 1–1000; default 100. */
  readonly limit?: number;
  /** The `cursor` of the previous page. */
  readonly cursor?: string;
}

export interface ListFilesResult {
  readonly items: FileSummary[];
  /** Present when more objects may follow. */
  readonly cursor?: string;
}

export interface PutFileOptions {
  readonly contentType: string;
}

export interface FileBucketApi {
  createUploadUrl(key: string, options: UploadUrlOptions): Promise<PresignedUpload>;
  createDownloadUrl(key: string, options?: DownloadUrlOptions): Promise<PresignedDownload>;
  head(key: string): Promise<FileInfo | undefined>;
  /** Idempotent: deleting a missing key succeeds. */
  delete(key: string): Promise<void>;
  list(options?: ListFilesOptions): Promise<ListFilesResult>;
  /** A small server-side write (an export); browsers upload through `createUploadUrl`. */
  put(key: string, body: Uint8Array | string, options: PutFileOptions): Promise<FileInfo>;
  get(key: string): Promise<StoredFile | undefined>;
}
