/**
 * One behaviour suite for every FileBucket storage: the local files behind
 * the dev server's routes, and S3 (on s3rver). A harness supplies a bucket
 * declared with the suite's rules and a `fetch` that reaches its URLs.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FileBucketApi } from '../types.js';

/** The rules every harness declares its bucket with. */
export const SUITE_OPTIONS = { allowedContentTypes: ['image/*', 'application/pdf', 'text/plain'], maxBytes: 64 * 1024 } as const;

export interface FileBucketHarness {
  readonly bucket: FileBucketApi;
  /** Fetches a URL the bucket issued (the local ones are root-relative). */
  fetch(url: string, init?: RequestInit): Promise<Response>;
  /** Whether the server checks upload policies itself (s3rver does not: the S3 tests decode the policy instead). */
  readonly enforcesUploadPolicy: boolean;
  close(): Promise<void>;
}

export function uploadForm(fields: Readonly<Record<string, string>>, file: Uint8Array | string, type = 'application/octet-stream'): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  // S3 reads the file from the last part; its own content type does not matter, the signed field does.
  form.append('file', new Blob([typeof file === 'string' ? file : new Uint8Array(file)], { type }), 'upload.bin');
  return form;
}

const png = (size: number): Uint8Array => Uint8Array.from({ length: size }, (_, i) => (i * 31 + 7) % 256);

export function fileBucketSuite(name: string, start: () => Promise<FileBucketHarness>): void {
  describe(`FileBucket behaviour (${name})`, () => {
    let harness: FileBucketHarness;
    let bucket: FileBucketApi;
    beforeAll(async () => {
      harness = await start();
      bucket = harness.bucket;
    }, 60_000);
    afterAll(async () => {
      await harness?.close();
    });

    it('puts, heads, gets and deletes a small object', async () => {
      const info = await bucket.put('alice/n1/hello.txt', 'héllo', { contentType: 'text/plain' });
      expect(info).toMatchObject({ key: 'alice/n1/hello.txt', size: 6, contentType: 'text/plain' });
      expect(await bucket.head('alice/n1/hello.txt')).toMatchObject({ key: 'alice/n1/hello.txt', size: 6, contentType: 'text/plain', etag: info.etag });
      const got = await bucket.get('alice/n1/hello.txt');
      expect(got?.text()).toBe('héllo');
      expect(got?.contentType).toBe('text/plain');
      await bucket.delete('alice/n1/hello.txt');
      expect(await bucket.head('alice/n1/hello.txt')).toBeUndefined();
      expect(await bucket.get('alice/n1/hello.txt')).toBeUndefined();
      // Deleting again is not an error.
      await bucket.delete('alice/n1/hello.txt');
    });

    it('lists by prefix in key order, page by page with the cursor', async () => {
      const keys = ['list/a/1', 'list/a/2', 'list/a/3', 'list/a/4', 'list/a/5', 'list/b/1'];
      for (const key of [...keys].reverse()) await bucket.put(key, key, { contentType: 'text/plain' });
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await bucket.list({ prefix: 'list/a/', limit: 2, ...(cursor && { cursor }) });
        seen.push(...page.items.map((item) => item.key));
        expect(page.items.every((item) => item.size === 8)).toBe(true);
        cursor = page.cursor;
        pages++;
      } while (cursor && pages < 10);
      expect(seen).toEqual(keys.slice(0, 5));
      expect(pages).toBe(3);
      expect((await bucket.list({ prefix: 'list/' })).items.map((item) => item.key)).toEqual(keys);
    });

    it('refuses unsafe keys with BadRequestError before touching storage', async () => {
      // A lone surrogate ('a\uD800b') has no UTF-8 form: two such keys would become the same bytes.
      for (const key of ['../etc/passwd', 'a/../../b', '/abs', 'a\u0000b', 'a\nb', 'a//b', 'x'.repeat(1025), '', 'a/./b', 'a\\b', 'a\uD800b', 'a/\uDC00']) {
        await expect(bucket.head(key), JSON.stringify(key)).rejects.toMatchObject({ name: 'BadRequestError', status: 400 });
        await expect(bucket.createUploadUrl(key, { contentType: 'image/png' })).rejects.toMatchObject({ status: 400 });
      }
      // 1,024 UTF-8 bytes is the limit, not 1,024 characters.
      // (Short segments: a file-backed S3 clone cannot store a 1,024-byte file name.)
      const segments = `${'é'.repeat(50)}/`.repeat(10);
      await expect(bucket.head(`${segments}${'a'.repeat(15)}`)).rejects.toMatchObject({ status: 400 });
      expect(await bucket.head(`${segments}${'a'.repeat(14)}`)).toBeUndefined();
      expect(await bucket.head('emoji/\u{1F600}.png')).toBeUndefined();
    });

    it('refuses a download name that cannot go into Content-Disposition with BadRequestError', async () => {
      // A lone surrogate cannot be percent-encoded (encodeURIComponent would throw: a 500); a line break would split the header.
      for (const filename of ['', 'a\r\nSet-Cookie: x=1', 'a\u0000.png', 'x'.repeat(256), 'a\uD800.png', 'b\uDC00.png', 42 as unknown as string]) {
        await expect(bucket.createDownloadUrl('alice/n1/photo.png', { filename }), JSON.stringify(filename)).rejects.toMatchObject({
          name: 'BadRequestError',
          status: 400,
          message: 'Invalid download filename',
        });
      }
    });

    it('refuses disallowed types (415) and sizes over the bucket limit (413) when issuing URLs and on put', async () => {
      await expect(bucket.createUploadUrl('alice/n1/x.exe', { contentType: 'application/x-msdownload' })).rejects.toMatchObject({ status: 415 });
      await expect(bucket.createUploadUrl('alice/n1/x.png', { contentType: 'image/png', maxBytes: SUITE_OPTIONS.maxBytes + 1 })).rejects.toMatchObject({ status: 413 });
      await expect(bucket.put('alice/n1/x.html', '<b>', { contentType: 'text/html' })).rejects.toMatchObject({ status: 415 });
      await expect(bucket.put('alice/n1/big.txt', 'x'.repeat(SUITE_OPTIONS.maxBytes + 1), { contentType: 'text/plain' })).rejects.toMatchObject({ status: 413 });
    });

    it('uploads through the presigned POST and downloads byte for byte through the presigned GET', async () => {
      const bytes = png(5000);
      const upload = await bucket.createUploadUrl('alice/n2/photo.png', { contentType: 'image/png', maxBytes: 10_000 });
      expect(upload).toMatchObject({ key: 'alice/n2/photo.png', contentType: 'image/png', maxBytes: 10_000 });
      const posted = await harness.fetch(upload.url, { method: 'POST', body: uploadForm(upload.fields, bytes, 'image/png') });
      expect(posted.status, await posted.clone().text()).toBe(204);
      expect(await bucket.head('alice/n2/photo.png')).toMatchObject({ size: 5000, contentType: 'image/png' });

      const download = await bucket.createDownloadUrl('alice/n2/photo.png', { filename: 'Café photo.png' });
      const got = await harness.fetch(download.url);
      expect(got.status).toBe(200);
      expect(got.headers.get('content-type')).toBe('image/png');
      expect(got.headers.get('content-disposition')).toContain("filename*=UTF-8''Caf%C3%A9%20photo.png");
      expect(new Uint8Array(await got.arrayBuffer())).toEqual(bytes);

      const ranged = await harness.fetch(download.url, { headers: { range: 'bytes=10-19' } });
      expect(ranged.status).toBe(206);
      expect(ranged.headers.get('content-range')).toBe('bytes 10-19/5000');
      expect(new Uint8Array(await ranged.arrayBuffer())).toEqual(bytes.subarray(10, 20));

      const head = await harness.fetch(download.url, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe('5000');
    });

    it('refuses an expired download or upload URL', async () => {
      await bucket.put('alice/n3/old.txt', 'old', { contentType: 'text/plain' });
      vi.useFakeTimers({ toFake: ['Date'] });
      let download: string;
      let upload: Awaited<ReturnType<FileBucketApi['createUploadUrl']>>;
      try {
        vi.setSystemTime(Date.now() - 2 * 3600 * 1000);
        download = (await bucket.createDownloadUrl('alice/n3/old.txt', { expiresIn: 60 })).url;
        upload = await bucket.createUploadUrl('alice/n3/new.txt', { contentType: 'text/plain', expiresIn: 60 });
      } finally {
        vi.useRealTimers();
      }
      expect((await harness.fetch(download)).status).toBe(403);
      expect(new Date(upload.expiresAt).getTime()).toBeLessThan(Date.now());
      if (!harness.enforcesUploadPolicy) return;
      const posted = await harness.fetch(upload.url, { method: 'POST', body: uploadForm(upload.fields, 'new') });
      expect(posted.status).toBe(403);
      expect(await bucket.head('alice/n3/new.txt')).toBeUndefined();
    });
  });
}
