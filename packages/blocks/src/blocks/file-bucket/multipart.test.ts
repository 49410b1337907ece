/**
 * The local upload route's multipart reader: whatever way the body is cut
 * into chunks (a delimiter split across two, one byte at a time), it returns
 * the same fields and exactly the file's bytes, and it refuses bodies that
 * are not a form with a file part.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundaryOf, readFilePart } from './multipart.js';

async function* chunks(body: Uint8Array, cuts: readonly number[]): AsyncGenerator<Uint8Array> {
  let start = 0;
  for (const cut of [...new Set(cuts)].filter((c) => c > 0 && c < body.length).sort((a, b) => a - b)) {
    yield body.subarray(start, cut);
    start = cut;
  }
  yield body.subarray(start);
}

async function encode(fields: Record<string, string>, file: Uint8Array): Promise<{ body: Uint8Array; type: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([new Uint8Array(file)]), 'f.bin');
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return { body: new Uint8Array(await request.arrayBuffer()), type: request.headers.get('content-type')! };
}

async function read(body: Uint8Array, type: string, cuts: readonly number[]) {
  const part = await readFilePart(chunks(body, cuts), boundaryOf(type));
  const parts: Uint8Array[] = [];
  for await (const chunk of part.body) parts.push(chunk);
  await part.drain(1024);
  return { fields: Object.fromEntries(part.fields), bytes: Buffer.concat(parts) };
}

describe('readFilePart', () => {
  it('returns the fields and the exact file bytes however the body is chunked', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('key', 'Content-Type', 'policy', 'signature', 'x-amz-meta'), fc.string({ maxLength: 40 })),
        // Bytes that look like CRLF and dashes, so partial delimiters are common.
        fc.uint8Array({ maxLength: 600 }).map((bytes) => bytes.map((b) => [13, 10, 45, b][b % 4]!)),
        fc.array(fc.nat({ max: 2000 }), { maxLength: 30 }),
        async (fields, file, cuts) => {
          const { body, type } = await encode(fields, file);
          const got = await read(body, type, cuts);
          expect(got.fields).toEqual(fields);
          expect(new Uint8Array(got.bytes)).toEqual(file);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reads a body delivered one byte at a time', async () => {
    const { body, type } = await encode({ key: 'a/b' }, new TextEncoder().encode('hello\r\n--world'));
    const got = await read(body, type, Array.from({ length: body.length }, (_, i) => i));
    expect(got.fields).toEqual({ key: 'a/b' });
    expect(got.bytes.toString()).toBe('hello\r\n--world');
  });

  it('refuses what is not a form upload with a file part', async () => {
    expect(() => boundaryOf('application/json')).toThrow(/multipart\/form-data/);
    const { body, type } = await encode({ key: 'a' }, new Uint8Array(3));
    const truncated = body.subarray(0, body.length - 20);
    await expect(read(truncated, type, [])).rejects.toMatchObject({ status: 400 });
    const form = new FormData();
    form.append('key', 'only a field');
    const request = new Request('http://localhost/', { method: 'POST', body: form });
    const noFile = new Uint8Array(await request.arrayBuffer());
    await expect(read(noFile, request.headers.get('content-type')!, [])).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/no file part/) });
  });
});
