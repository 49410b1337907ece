/**
 * The local FileBucket: the shared behaviour suite through the dev server's
 * Node middleware (real HTTP), then what only the local variant does: its
 * refusals of uploads the S3 policy would refuse (413 while streaming, 415,
 * 403 for a changed key or policy), its 0600 key and its crash-safe layout.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiNamespace } from '../../core/api-namespace.js';
import { Scope } from '../../core/scope.js';
import { blocksApiMiddleware } from '../../transports/node.js';
import { BlocksApiError, uploadToPresignedPost } from '../../spec/__golden__/fixture/typescript/blocks-client.js';
import { FileBucket } from './index.js';
import { parseRange } from './local-storage-routes.js';
import { fileBucketSuite, SUITE_OPTIONS, uploadForm, type FileBucketHarness } from './testing/suite.js';

interface LocalHarness extends FileBucketHarness {
  readonly bucket: FileBucket;
  readonly dataDir: string;
  readonly origin: string;
}

async function startLocal(): Promise<LocalHarness> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'file-bucket-'));
  process.env.BLOCKS_DATA_DIR = dataDir;
  const scope = new Scope('files-test');
  const bucket = new FileBucket(scope, 'attachments', SUITE_OPTIONS);
  const app = { api: new ApiNamespace(scope, 'api', () => ({ ping: () => 'pong' })) };
  const middleware = blocksApiMiddleware(async () => app, { logger: { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined } as unknown as Console });
  const server: Server = createServer((req, res) => middleware(req, res, () => ((res.statusCode = 404), res.end('next'))));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    bucket,
    dataDir,
    origin,
    enforcesUploadPolicy: true,
    fetch: (url, init) => fetch(new URL(url, origin), init),
    async close() {
      server.closeAllConnections();
      server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

fileBucketSuite('local files, served by the dev server', startLocal);

describe('the local FileBucket refuses what the S3 policy would', () => {
  let harness: LocalHarness;
  beforeAll(async () => {
    harness = await startLocal();
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('issues root-relative URLs under /aws-blocks/files/<scope>/<id>', async () => {
    const upload = await harness.bucket.createUploadUrl('bob/n/a.png', { contentType: 'image/png' });
    expect(upload.url).toBe('/aws-blocks/files/files-test/attachments');
    expect(Object.keys(upload.fields).sort()).toEqual(['Content-Type', 'key', 'policy', 'signature']);
    const download = await harness.bucket.createDownloadUrl('bob/n/a b.png');
    expect(download.url).toMatch(/^\/aws-blocks\/files\/files-test\/attachments\/bob\/n\/a%20b\.png\?expires=\d+&signature=/);
  });

  it('refuses an upload over maxBytes while it streams (413) and keeps nothing', async () => {
    const upload = await harness.bucket.createUploadUrl('bob/n/big.png', { contentType: 'image/png', maxBytes: 1000 });
    const response = await harness.fetch(upload.url, { method: 'POST', body: uploadForm(upload.fields, new Uint8Array(1001)) });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { message: string }).message).toMatch(/limited to 1000 bytes/);
    expect(await harness.bucket.head('bob/n/big.png')).toBeUndefined();
    // Exactly the limit is fine, as with content-length-range.
    const exact = await harness.fetch(upload.url, { method: 'POST', body: uploadForm(upload.fields, new Uint8Array(1000)) });
    expect(exact.status).toBe(204);
  });

  it('refuses a different content type (415), another key or an altered policy (403)', async () => {
    const upload = await harness.bucket.createUploadUrl('bob/n/c.png', { contentType: 'image/png' });
    const post = (fields: Record<string, string>) => harness.fetch(upload.url, { method: 'POST', body: uploadForm(fields, 'data') });
    expect((await post({ ...upload.fields, 'Content-Type': 'text/html' })).status).toBe(415);
    expect((await post({ ...upload.fields, key: 'mallory/n/c.png' })).status).toBe(403);
    const policy = JSON.parse(Buffer.from(upload.fields.policy!, 'base64url').toString()) as Record<string, unknown>;
    const altered = Buffer.from(JSON.stringify({ ...policy, maxBytes: 10 ** 9 })).toString('base64url');
    expect((await post({ ...upload.fields, policy: altered })).status).toBe(403);
    expect((await post({ ...upload.fields, signature: 'x' })).status).toBe(403);
    expect(await harness.bucket.head('bob/n/c.png')).toBeUndefined();
  });

  it('refuses an altered download URL (403) and answers 404 for a deleted file', async () => {
    await harness.bucket.put('bob/n/d.txt', 'secret', { contentType: 'text/plain' });
    const { url } = await harness.bucket.createDownloadUrl('bob/n/d.txt');
    expect((await harness.fetch(url.replace('bob/n/d.txt', 'bob/n/e.txt'))).status).toBe(403);
    expect((await harness.fetch(url.replace(/expires=\d+/, 'expires=99999999999'))).status).toBe(403);
    expect((await harness.fetch(`${url}&filename=x.txt`)).status).toBe(403);
    const served = await harness.fetch(url);
    expect(served.status).toBe(200);
    // Same origin as the app in development: nothing served here may run as the app.
    expect(served.headers.get('content-security-policy')).toContain('sandbox');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    await harness.bucket.delete('bob/n/d.txt');
    expect((await harness.fetch(url)).status).toBe(404);
  });

  it('takes uploads from the generated clients\' uploadToPresignedPost, resolving the root-relative URL against the API URL', async () => {
    const apiUrl = `${harness.origin}/aws-blocks/api`;
    const upload = await harness.bucket.createUploadUrl('bob/n/generated.pdf', { contentType: 'application/pdf', maxBytes: 100 });
    await uploadToPresignedPost(upload, new Blob(['%PDF-1.4']), { url: apiUrl });
    expect((await harness.bucket.get('bob/n/generated.pdf'))?.text()).toBe('%PDF-1.4');
    const refused = await uploadToPresignedPost(upload, new Blob([new Uint8Array(101)]), { url: apiUrl }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BlocksApiError);
    expect(refused).toMatchObject({ status: 413 });
  });

  it('keeps its signing key 0600 in the data dir, and keys never become paths', async () => {
    await harness.bucket.put('bob/meta.txt', 'x', { contentType: 'text/plain' });
    const keyFile = path.join(harness.dataDir, 'file-bucket', 'files-test-attachments.key');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const objectsDir = path.join(harness.dataDir, 'files', 'files-test', 'attachments');
    const shards = await readdir(objectsDir);
    expect(shards.every((name) => /^[0-9a-f]{2}$/.test(name))).toBe(true);
    const files = (await Promise.all(shards.map((shard) => readdir(path.join(objectsDir, shard))))).flat();
    expect(files.every((name) => /^[0-9a-f]{64}(\.[0-9a-f]{12}\.bin|\.json)$/.test(name))).toBe(true);
    const meta = `${createHash('sha256').update('bob/meta.txt').digest('hex')}.json`;
    expect(files).toContain(meta);
    const stored = JSON.parse(await readFile(path.join(objectsDir, meta.slice(0, 2), meta), 'utf8')) as { contentType: string };
    expect(stored.contentType).toBe('text/plain');
  });
});

describe('parseRange', () => {
  it('reads one byte range, suffix and open ranges, and flags unsatisfiable ones', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual([0, 9]);
    expect(parseRange('bytes=90-', 100)).toEqual([90, 99]);
    expect(parseRange('bytes=-5', 100)).toEqual([95, 99]);
    expect(parseRange('bytes=50-500', 100)).toEqual([50, 99]);
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 100)).toBeUndefined();
    expect(parseRange(null, 100)).toBeUndefined();
  });
});
