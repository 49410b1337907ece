/**
 * The FileBucket's S3 storage, for the `aws-runtime` variant: uploads by
 * presigned POST (the policy fixes the exact key, the content type and a
 * `content-length-range`, so S3 itself refuses anything else), downloads by
 * presigned GET, the rest with plain S3 calls.
 *
 * The SDK modules load on first use (`require`, each package when a call
 * first needs it) and the client is shared by the process, so a cold start that touches no file pays nothing
 * for them.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { ServiceUnavailableError } from '../../core/errors.js';
import { S3_ENDPOINT_ENV } from './binding.js';
import type { DownloadGrant, UploadGrant } from './rules.js';
import { storedFile, type FileStorage } from './storage.js';
import type { FileInfo, ListFilesResult, StoredFile } from './types.js';
import { requireAwsSdk } from '../../core/aws-sdk.js';

type S3Module = typeof import('@aws-sdk/client-s3');

/**
 * Each SDK package on first use through the kit's one SDK loader
 * (core/aws-sdk.ts); Node caches the modules. Separately, because each
 * costs its own load: an upload URL needs the POST presigner and not the
 * GET one, a list or delete needs neither.
 */
const sdk = {
  s3: (): S3Module => requireAwsSdk<S3Module>('@aws-sdk/client-s3'),
  createPresignedPost: (): typeof import('@aws-sdk/s3-presigned-post').createPresignedPost =>
    requireAwsSdk<typeof import('@aws-sdk/s3-presigned-post')>('@aws-sdk/s3-presigned-post').createPresignedPost,
  getSignedUrl: (): typeof import('@aws-sdk/s3-request-presigner').getSignedUrl =>
    requireAwsSdk<typeof import('@aws-sdk/s3-request-presigner')>('@aws-sdk/s3-request-presigner').getSignedUrl,
};

let shared: Promise<S3Client> | undefined;

/** The process's one S3 client, created on first use. */
export function sharedS3Client(env: NodeJS.ProcessEnv = process.env): Promise<S3Client> {
  shared ??= Promise.resolve().then(() => {
    const s3 = sdk.s3();
    const endpoint = env[S3_ENDPOINT_ENV];
    return new s3.S3Client({
      maxAttempts: 3,
      ...(env.AWS_REGION && { region: env.AWS_REGION }),
      // An S3-compatible test server: path-style URLs, and bodies without
      // the aws-chunked checksum framing such servers store verbatim.
      ...(endpoint && { endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' as const }),
    });
  });
  return shared;
}

/** Drops the shared client (tests that change the environment). */
export function resetSharedS3Client(): void {
  const previous = shared;
  shared = undefined;
  void previous?.then((client) => client.destroy());
}

const stripQuotes = (etag: string | undefined): string => (etag ?? '').replace(/^"|"$/g, '');

function isNotFound(error: unknown): boolean {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return name === 'NotFound' || name === 'NoSuchKey' || $metadata?.httpStatusCode === 404;
}

/** Throttling and S3-side faults are the client's to retry; anything else is a bug worth a 500. */
async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (name === 'SlowDown' || ($metadata?.httpStatusCode ?? 0) >= 500) throw new ServiceUnavailableError('File storage is busy; retry shortly');
    throw error;
  }
}

export interface S3StorageConfig {
  /** Read on first use (the binding), so a misconfiguration fails the call, not the import. */
  readonly bucket: () => string;
  readonly client?: () => Promise<S3Client>;
}

export class S3FileStorage implements FileStorage {
  readonly #bucket: () => string;
  readonly #client: () => Promise<S3Client>;

  constructor(config: S3StorageConfig) {
    this.#bucket = config.bucket;
    this.#client = config.client ?? (() => sharedS3Client());
  }

  #bucketName?: string;

  async #use(): Promise<{ client: S3Client; bucket: string }> {
    this.#bucketName ??= this.#bucket();
    const bucket = this.#bucketName;
    return { client: await this.#client(), bucket };
  }

  async createUpload(grant: UploadGrant): Promise<{ url: string; fields: Record<string, string> }> {
    const { client, bucket } = await this.#use();
    // createPresignedPost adds the bucket and exact-key conditions itself.
    const { url, fields } = await sdk.createPresignedPost()(client, {
      Bucket: bucket,
      Key: grant.key,
      Conditions: [
        ['content-length-range', 0, grant.maxBytes],
        ['eq', '$Content-Type', grant.contentType],
      ],
      Fields: { 'Content-Type': grant.contentType },
      Expires: grant.expiresIn,
    });
    return { url, fields };
  }

  async createDownload(grant: DownloadGrant): Promise<string> {
    const { client, bucket } = await this.#use();
    const command = new (sdk.s3().GetObjectCommand)({
      Bucket: bucket,
      Key: grant.key,
      ...(grant.disposition !== undefined && { ResponseContentDisposition: grant.disposition }),
    });
    return sdk.getSignedUrl()(client, command, { expiresIn: grant.expiresIn });
  }

  async head(key: string): Promise<FileInfo | undefined> {
    const { client, bucket } = await this.#use();
    try {
      const answer = await call(() => client.send(new (sdk.s3().HeadObjectCommand)({ Bucket: bucket, Key: key })));
      return {
        key,
        size: answer.ContentLength ?? 0,
        contentType: answer.ContentType ?? 'application/octet-stream',
        lastModified: (answer.LastModified ?? new Date(0)).toISOString(),
        etag: stripQuotes(answer.ETag),
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const { client, bucket } = await this.#use();
    await call(() => client.send(new (sdk.s3().DeleteObjectCommand)({ Bucket: bucket, Key: key })));
  }

  async list(options: { prefix: string; limit: number; cursor: string | undefined }): Promise<ListFilesResult> {
    const { client, bucket } = await this.#use();
    const page = await call(() =>
      client.send(
        new (sdk.s3().ListObjectsV2Command)({
          Bucket: bucket,
          MaxKeys: options.limit,
          ...(options.prefix && { Prefix: options.prefix }),
          ...(options.cursor && { ContinuationToken: options.cursor }),
        }),
      ),
    );
    const items = (page.Contents ?? []).map((object) => ({
      key: object.Key ?? '',
      size: object.Size ?? 0,
      lastModified: (object.LastModified ?? new Date(0)).toISOString(),
      etag: stripQuotes(object.ETag),
    }));
    return { items, ...(page.IsTruncated && page.NextContinuationToken && { cursor: page.NextContinuationToken }) };
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<FileInfo> {
    const { client, bucket } = await this.#use();
    const answer = await call(() => client.send(new (sdk.s3().PutObjectCommand)({ Bucket: bucket, Key: key, Body: bytes, ContentType: contentType })));
    return { key, size: bytes.byteLength, contentType, lastModified: new Date().toISOString(), etag: stripQuotes(answer.ETag) };
  }

  async get(key: string): Promise<StoredFile | undefined> {
    const { client, bucket } = await this.#use();
    try {
      const answer = await call(() => client.send(new (sdk.s3().GetObjectCommand)({ Bucket: bucket, Key: key })));
      const bytes = answer.Body ? await answer.Body.transformToByteArray() : new Uint8Array();
      return storedFile(
        {
          key,
          size: bytes.byteLength,
          contentType: answer.ContentType ?? 'application/octet-stream',
          lastModified: (answer.LastModified ?? new Date(0)).toISOString(),
          etag: stripQuotes(answer.ETag),
        },
        bytes,
      );
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}
