/**
 * The `aws-runtime` FileBucket's S3 storage against a real S3-compatible
 * server (s3rver): the shared behaviour suite, then the limits S3 enforces
 * in the cloud, proven on the signed POST policy itself (s3rver does not
 * check policies), and the shared client's configuration from the binding.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scope } from '../../core/scope.js';
import { FILE_BUCKET_BINDING, S3_ENDPOINT_ENV } from './binding.js';
import { FileBucket } from './index.aws.js';
import { resetSharedS3Client } from './s3-storage.js';
import { startS3rver, S3RVER_CREDENTIALS, type S3rverHandle } from './testing/s3rver.js';
import { fileBucketSuite, SUITE_OPTIONS } from './testing/suite.js';

let server: S3rverHandle;
const saved = { ...process.env };

beforeAll(async () => {
  server = await startS3rver();
  // What the Blocks backend sets on the function, plus the test endpoint.
  Object.assign(process.env, {
    [FILE_BUCKET_BINDING.env]: JSON.stringify({ 'files-s3/attachments': server.bucket, 'files-s3/policy': server.bucket }),
    [S3_ENDPOINT_ENV]: server.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  });
  resetSharedS3Client();
}, 60_000);

afterAll(async () => {
  resetSharedS3Client();
  process.env = saved;
  await server?.close();
});

const scope = new Scope('files-s3');

fileBucketSuite('S3 on s3rver, as deployed', async () => ({
  bucket: new FileBucket(scope, 'attachments', SUITE_OPTIONS),
  fetch: (url, init) => fetch(url, init),
  enforcesUploadPolicy: false,
  close: async () => undefined,
}));

interface PostPolicy {
  expiration: string;
  conditions: Array<Record<string, string> | [string, ...Array<string | number>]>;
}

describe('the presigned POST policy carries the cloud limits', () => {
  const bucket = new FileBucket(scope, 'policy', SUITE_OPTIONS);

  it('fixes the bucket, the exact key, the size range, the content type and the expiry', async () => {
    const before = Date.now();
    const upload = await bucket.createUploadUrl('alice/n1/photo.png', { contentType: 'image/png', maxBytes: 2048, expiresIn: 120 });
    expect(upload.url).toBe(`${server.endpoint}/${server.bucket}`);
    expect(upload.fields).toMatchObject({ key: 'alice/n1/photo.png', 'Content-Type': 'image/png', 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256' });
    expect(upload.fields['X-Amz-Signature']).toMatch(/^[0-9a-f]{64}$/);
    const policy = JSON.parse(Buffer.from(upload.fields.Policy!, 'base64').toString('utf8')) as PostPolicy;
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        { bucket: server.bucket },
        { key: 'alice/n1/photo.png' },
        ['content-length-range', 0, 2048],
        ['eq', '$Content-Type', 'image/png'],
      ]),
    );
    // No starts-with on the key: the URL cannot write anywhere else.
    expect(JSON.stringify(policy.conditions)).not.toContain('starts-with');
    const expiry = new Date(policy.expiration).getTime();
    // The policy states whole seconds; allow for the rounding on both sides.
    expect(expiry).toBeGreaterThanOrEqual(before + 118_000);
    expect(expiry).toBeLessThanOrEqual(Date.now() + 121_000);
  });

  it('signs downloads for a short time and with the requested file name', async () => {
    const { url } = await bucket.createDownloadUrl('alice/n1/photo.png', { expiresIn: 90, filename: 'a "b".png' });
    const query = new URL(url).searchParams;
    expect(query.get('X-Amz-Expires')).toBe('90');
    expect(query.get('response-content-disposition')).toBe(`attachment; filename="a _b_.png"; filename*=UTF-8''a%20%22b%22.png`);
  });

  it('checks its options on the first call, not at construction: synthesis already refused bad ones', async () => {
    const misconfigured = new FileBucket(new Scope('files-s3'), 'policy', { allowedContentTypes: ['png'] });
    await expect(misconfigured.head('a/b')).rejects.toThrow(/"png" is not a content type/);
  });

  it('fails a call, not the import, when the bucket binding is missing', async () => {
    const unbound = new FileBucket(new Scope('files-unbound'), 'nothing');
    await expect(unbound.head('a/b')).rejects.toThrow(/FileBucket "files-unbound\/nothing" has no S3 bucket name/);
  });
});
