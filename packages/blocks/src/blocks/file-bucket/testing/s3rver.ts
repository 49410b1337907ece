/**
 * An S3-compatible server (s3rver) on a free localhost port, in a child
 * process, for testing the `aws-runtime` FileBucket offline. A child because
 * s3rver's truncated ListObjectsV2 pages need `--openssl-legacy-provider`
 * under OpenSSL 3, a flag only a process's own NODE_OPTIONS can set.
 *
 * s3rver checks that presigned URLs are unexpired but verifies neither
 * SigV4 signatures nor POST policies: tests prove the policy by decoding it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { S3Client } from '@aws-sdk/client-s3';

/** s3rver accepts exactly these credentials. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const S3RVER_REGION = 'us-east-1';

export interface S3rverHandle {
  /** e.g. `http://127.0.0.1:45123` */
  readonly endpoint: string;
  readonly bucket: string;
  /** A client for this server, configured as BLOCKS_S3_ENDPOINT configures the runtime's. */
  client(): Promise<S3Client>;
  close(): Promise<void>;
}

const CHILD = `
const S3rver = require('s3rver');
const server = new S3rver({
  address: '127.0.0.1', port: 0, silent: true,
  directory: process.env.S3RVER_DIR,
  configureBuckets: [{ name: process.env.S3RVER_BUCKET, configs: [] }],
});
server.run().then((address) => process.stdout.write(JSON.stringify({ port: address.port }) + '\\n'));
process.on('SIGTERM', () => server.close().finally(() => process.exit(0)));
`;

export async function startS3rver(bucket = 'blocks-test-files'): Promise<S3rverHandle> {
  const directory = await mkdtemp(path.join(tmpdir(), 's3rver-'));
  const child = spawn(process.execPath, ['-e', CHILD], {
    env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider', S3RVER_DIR: directory, S3RVER_BUCKET: bucket },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`s3rver exited early (${code})`)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  let created: S3Client | undefined;
  return {
    endpoint,
    bucket,
    async client() {
      if (!created) {
        const { S3Client } = await import('@aws-sdk/client-s3');
        created = new S3Client({
          endpoint,
          region: S3RVER_REGION,
          credentials: S3RVER_CREDENTIALS,
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED',
          maxAttempts: 1,
        });
      }
      return created;
    },
    async close() {
      created?.destroy();
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}
