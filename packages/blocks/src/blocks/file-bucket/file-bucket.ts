/**
 * What `new FileBucket(scope, id, options)` is in every runtime: a
 * declaration in a scope (how the CDK backend finds it) whose methods check
 * their inputs with the shared rules and then call the runtime's storage,
 * opened on first use so configuration read then (BLOCKS_DATA_DIR, the
 * bucket binding) may be set after the app module is imported.
 */
import { checkedOptions, type OptionCheck } from '../../core/option-check.js';
import type { Scope, ScopedResource } from '../../core/scope.js';
import { assertContentType, assertKey, assertSize, downloadGrant, listOptions, normaliseOptions, toBytes, uploadGrant, type BucketRules } from './rules.js';
import type { FileStorage } from './storage.js';
import type {
  DownloadUrlOptions,
  FileBucketApi,
  FileBucketOptions,
  FileInfo,
  ListFilesOptions,
  ListFilesResult,
  PresignedDownload,
  PresignedUpload,
  PutFileOptions,
  StoredFile,
  UploadUrlOptions,
} from './types.js';

const iso = (epochSeconds: number): string => new Date(epochSeconds * 1000).toISOString();

export abstract class FileBucketBlock implements FileBucketApi, ScopedResource {
  readonly kind = 'FileBucket';
  readonly scope: Scope;
  readonly id: string;
  readonly #rules: () => BucketRules;
  #storage?: FileStorage;

  /** `check`: 'on-first-use' in the deployed function, where synthesis already checked the options (core/option-check.ts). */
  constructor(scope: Scope, id: string, options: FileBucketOptions = {}, check: OptionCheck = 'at-construction') {
    this.scope = scope;
    this.id = id;
    const given = { ...options };
    this.#rules = checkedOptions(check, () => normaliseOptions(given, `FileBucket "${scope.name}/${id}"`));
    scope.register(this);
  }

  /** The options, checked: what every call is held to. */
  get rules(): BucketRules {
    return this.#rules();
  }

  /** Called once, on first use. */
  protected abstract open(): FileStorage;

  #store(): FileStorage {
    this.#storage ??= this.open();
    return this.#storage;
  }

  async createUploadUrl(key: string, options: UploadUrlOptions): Promise<PresignedUpload> {
    const grant = uploadGrant(key, options ?? {}, this.rules);
    const { url, fields } = await this.#store().createUpload(grant);
    return { url, fields, key: grant.key, maxBytes: grant.maxBytes, contentType: grant.contentType, expiresAt: iso(grant.expiresAt) };
  }

  async createDownloadUrl(key: string, options: DownloadUrlOptions = {}): Promise<PresignedDownload> {
    const grant = downloadGrant(key, options, this.rules);
    return { url: await this.#store().createDownload(grant), expiresAt: iso(grant.expiresAt) };
  }

  async head(key: string): Promise<FileInfo | undefined> {
    return this.#store().head(assertKey(key, this.rules));
  }

  async delete(key: string): Promise<void> {
    return this.#store().delete(assertKey(key, this.rules));
  }

  async list(options: ListFilesOptions = {}): Promise<ListFilesResult> {
    return this.#store().list(listOptions(options));
  }

  async put(key: string, body: Uint8Array | string, options: PutFileOptions): Promise<FileInfo> {
    const checkedKey = assertKey(key, this.rules);
    const contentType = assertContentType(options?.contentType, this.rules);
    const bytes = toBytes(body);
    assertSize(bytes.byteLength, this.rules.maxBytes);
    return this.#store().put(checkedKey, bytes, contentType);
  }

  async get(key: string): Promise<StoredFile | undefined> {
    return this.#store().get(assertKey(key, this.rules));
  }
}
