/**
 * What a FileBucket variant plugs in: storage that receives only inputs the
 * shared rules (rules.ts) already vetted. The local files and S3 each
 * implement it; the Block class in file-bucket.ts is the same everywhere.
 */
import type { DownloadGrant, UploadGrant } from './rules.js';
import type { FileInfo, ListFilesResult, StoredFile } from './types.js';

export interface FileStorage {
  createUpload(grant: UploadGrant): Promise<{ url: string; fields: Record<string, string> }>;
  createDownload(grant: DownloadGrant): Promise<string>;
  head(key: string): Promise<FileInfo | undefined>;
  delete(key: string): Promise<void>;
  list(options: { prefix: string; limit: number; cursor: string | undefined }): Promise<ListFilesResult>;
  put(key: string, bytes: Uint8Array, contentType: string): Promise<FileInfo>;
  get(key: string): Promise<StoredFile | undefined>;
}

export function storedFile(info: FileInfo, bytes: Uint8Array): StoredFile {
  return { ...info, bytes, text: () => new TextDecoder().decode(bytes) };
}
