/**
 * The HTTP transport under hostile framing: a real `node:http` server with
 * `serveRpc` in front of the sample app, driven over raw loopback sockets
 * (so requests can lie about their length, split their chunks oddly or die
 * half way). Bounded: a few hundred short connections to 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { serveRpc } from '../../packages/blocks/src/transports/node.js';
import { expectWellFormed, leaksIn, startSampleApp, type SampleApp, type WireResponse } from './helpers.js';

const LIMIT = 16 * 1024;
const API = '/aws-blocks/api';

let app: SampleApp;
let server: Server;
let port: number;
/** serveRpc rejected (the client vanished mid-body); the server must shrug that off. */
let transportFailures = 0;
let processFaults = 0;
const onProcessFault = (): void => {
  processFaults++;
};

beforeAll(async () => {
  app = await startSampleApp({ maxBodyBytes: LIMIT });
  server = createServer((req, res) => {
    serveRpc(req, res, app.dispatcher).catch(() => {
      transportFailures++;
      res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  vi.spyOn(console, 'debug').mockImplementation(() => undefined);
  process.on('unhandledRejection', onProcessFault);
  process.on('uncaughtException', onProcessFault);
});

afterAll(async () => {
  process.off('unhandledRejection', onProcessFault);
  process.off('uncaughtException', onProcessFault);
  vi.restoreAllMocks();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await app?.close();
});

// ---------------------------------------------------------------------------
// A deliberately dumb HTTP/1.1 client

type Ending = 'wait' | 'half-close' | 'destroy';

/** Writes `parts` as separate writes, then ends as told; resolves to every byte the server sent. */
function exchange(parts: readonly (string | Buffer)[], ending: Ending = 'wait', timeoutMs = 3000): Promise<Buffer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(received));
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('close', finish);
    socket.on('error', finish);
    socket.once('connect', async () => {
      for (const part of parts) {
        socket.write(part);
        // Separate writes usually become separate segments, so the server reads the body in pieces.
        await new Promise((next) => setImmediate(next));
      }
      if (ending === 'half-close') socket.end();
      if (ending === 'destroy') finish();
    });
  });
}

/** Splits a byte stream into the HTTP responses it holds (content-length, chunked or until close). */
function parseResponses(bytes: Buffer): WireResponse[] {
  const responses: WireResponse[] = [];
  let rest = bytes;
  while (rest.length > 0) {
    const headerEnd = rest.indexOf('\r\n\r\n');
    if (headerEnd === -1) throw new Error(`truncated response head: ${JSON.stringify(rest.toString('latin1').slice(0, 200))}`);
    const [statusLine = '', ...lines] = rest.subarray(0, headerEnd).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]);
    const headers = new Headers();
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
    rest = rest.subarray(headerEnd + 4);
    let body: Buffer;
    if (headers.get('transfer-encoding')?.toLowerCase() === 'chunked') {
      const pieces: Buffer[] = [];
      for (;;) {
        const lineEnd = rest.indexOf('\r\n');
        const size = Number.parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16);
        rest = rest.subarray(lineEnd + 2);
        if (size === 0) {
          rest = rest.subarray(rest.indexOf('\r\n') + 2);
          break;
        }
        pieces.push(rest.subarray(0, size));
        rest = rest.subarray(size + 2);
      }
      body = Buffer.concat(pieces);
    } else if (headers.has('content-length')) {
      const length = Number(headers.get('content-length'));
      body = rest.subarray(0, length);
      rest = rest.subarray(length);
    } else {
      body = rest;
      rest = Buffer.alloc(0);
    }
    responses.push({ status, headers, body: body.toString('utf8') });
  }
  return responses;
}

/** Every response on the wire is either a JSON-RPC answer or Node's own bare refusal, and none leaks. */
function checkAll(responses: readonly WireResponse[]): void {
  for (const response of responses) {
    expect(response.status).toBeGreaterThanOrEqual(200);
    expect(response.status).toBeLessThan(600);
    expect(response.status).not.toBe(500);
    if (response.headers.get('content-type')?.startsWith('application/json')) expectWellFormed(response);
    else expect(leaksIn(response.body)).toEqual([]);
  }
}

const head = (lines: readonly string[]): string => `${[`POST ${API} HTTP/1.1`, 'Host: 127.0.0.1', ...lines].join('\r\n')}\r\n\r\n`;

/** Valid chunked framing of `body`, cut at `cuts` (fractions of its length). */
function chunked(body: Buffer, cuts: readonly number[], upper: boolean, extension: boolean): Buffer[] {
  const points = [...new Set(cuts.map((cut) => Math.floor(cut * body.length)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const to of [...points, body.length]) {
    if (to <= from) continue;
    const size = (to - from).toString(16);
    pieces.push(Buffer.from(`${upper ? size.toUpperCase() : size}${extension ? ';x=1' : ''}\r\n`), body.subarray(from, to), Buffer.from('\r\n'));
    from = to;
  }
  pieces.push(Buffer.from('0\r\n\r\n'));
  return pieces;
}

const bodies = [
  '{"jsonrpc":"2.0","id":1,"method":"account.me"}',
  '{"jsonrpc":"2.0","id":"x","method":"notes.create","params":{"text":"hi"}}',
  '{"jsonrpc":"2.0","id":2,"method":"notes.nope"}',
  '{"jsonrpc":"2.0","id":3,"method":"notes.list","params":{"__proto__":{"x":1}}}',
  '[{"jsonrpc":"2.0","id":4,"method":"account.me"}]',
  '{"jsonrpc":"2.0","id":5,',
  '\u00e9\u00e8 not json',
  '',
];

// ---------------------------------------------------------------------------

describe('the HTTP transport (serveRpc on node:http)', () => {
  it('answers correctly framed requests, however the body is split, exactly as the dispatcher does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...bodies),
        fc.constantFrom('content-length', 'chunked'),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 5 }),
        fc.boolean(),
        fc.boolean(),
        async (text, framing, cuts, upper, extension) => {
          const body = Buffer.from(text);
          const parts =
            framing === 'chunked'
              ? [head(['Content-Type: application/json', 'Transfer-Encoding: chunked', 'Connection: close']), ...chunked(body, cuts, upper, extension)]
              : [head(['Content-Type: application/json', `Content-Length: ${body.length}`, 'Connection: close']), ...cutBuffer(body, cuts)];
          const responses = parseResponses(await exchange(parts));
          expect(responses).toHaveLength(1);
          checkAll(responses);
          const direct = await app.dispatcher.handle({ method: 'POST', headers: new Headers({ 'content-type': 'application/json' }), body });
          const [response] = responses;
          expect(response!.status).toBe(direct.status);
          expect(JSON.parse(response!.body)).toEqual(JSON.parse(direct.body));
        },
      ),
      { numRuns: 120 },
    );
  });

  it('survives bodies that lie about their length, break chunking, exceed the limit or die half way', async () => {
    const payload = Buffer.from(bodies[1]!);
    const big = Buffer.alloc(LIMIT + 1, 'x');
    type Case = {
      readonly parts: (string | Buffer)[];
      readonly ending: Ending;
      readonly expectStatus?: number;
      /** The body was left unread, so the server must close the connection after answering. */
      readonly closes?: boolean;
    };
    const malformed: Record<string, () => Case> = {
      'content-length longer than the body, then FIN': () => ({
        parts: [head(['Content-Type: application/json', `Content-Length: ${payload.length + 50}`]), payload],
        ending: 'half-close',
      }),
      'content-length shorter than the body (the rest is a bogus next request)': () => ({
        parts: [head(['Content-Type: application/json', `Content-Length: ${payload.length - 10}`]), payload],
        ending: 'half-close',
        expectStatus: 400,
      }),
      'a non-numeric content-length': () => ({ parts: [head(['Content-Type: application/json', 'Content-Length: abc']), payload], ending: 'half-close', expectStatus: 400 }),
      'a negative content-length': () => ({ parts: [head(['Content-Type: application/json', 'Content-Length: -5']), payload], ending: 'half-close', expectStatus: 400 }),
      'both content-length and chunked (request smuggling)': () => ({
        parts: [head(['Content-Type: application/json', `Content-Length: ${payload.length}`, 'Transfer-Encoding: chunked']), ...chunked(payload, [], false, false)],
        ending: 'half-close',
        expectStatus: 400,
      }),
      'an invalid chunk size': () => ({
        parts: [head(['Content-Type: application/json', 'Transfer-Encoding: chunked']), 'zz\r\n', payload, '\r\n0\r\n\r\n'],
        ending: 'half-close',
        expectStatus: 400,
      }),
      'a chunk longer than announced': () => ({
        parts: [head(['Content-Type: application/json', 'Transfer-Encoding: chunked']), '2\r\n', payload, '\r\n0\r\n\r\n'],
        ending: 'half-close',
        expectStatus: 400,
      }),
      'a declared length over the limit (answered before the body is sent)': () => ({
        parts: [head(['Content-Type: application/json', `Content-Length: ${10 * LIMIT}`])],
        ending: 'wait',
        expectStatus: 413,
        closes: true,
      }),
      'a chunked body over the limit': () => ({
        parts: [head(['Content-Type: application/json', 'Transfer-Encoding: chunked']), ...chunked(big, [0.3, 0.6], false, false)],
        ending: 'wait',
        expectStatus: 413,
        closes: true,
      }),
      'a body cut off by a reset': () => ({ parts: [head(['Content-Type: application/json', `Content-Length: ${payload.length}`]), payload.subarray(0, 10)], ending: 'destroy' }),
      'chunking cut off by a reset': () => ({ parts: [head(['Content-Type: application/json', 'Transfer-Encoding: chunked']), '40\r\n', payload.subarray(0, 5)], ending: 'destroy' }),
      'headers cut off by FIN': () => ({ parts: [`POST ${API} HTTP/1.1\r\nContent-Ty`], ending: 'half-close' }),
    };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(malformed)), async (name) => {
        const { parts, ending, expectStatus, closes } = malformed[name]!();
        const responses = parseResponses(await exchange(parts, ending, 1500));
        checkAll(responses);
        if (expectStatus !== undefined) expect(responses.map((r) => r.status), name).toContain(expectStatus);
        if (closes) expect(responses[0]?.headers.get('connection'), name).toBe('close');
      }),
      { numRuns: 120 },
    );
    // Fifty clients vanish mid-body at once.
    await Promise.all(
      Array.from({ length: 50 }, () => exchange([head(['Content-Type: application/json', 'Content-Length: 1000']), 'x'.repeat(100)], 'destroy')),
    );
  });

  it('still answers normally afterwards: nothing crashed, leaked or was logged as a bug', async () => {
    const response = await fetch(`http://127.0.0.1:${port}${API}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${app.idToken('transport-user')}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'account.me' }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { result: { sub: string } }).result.sub).toBe('transport-user');
    expect(processFaults).toBe(0);
    expect(app.serverErrors).toEqual([]);
    console.info(`[http transport] ${transportFailures} requests ended by their client mid-body`);
  });
});

function cutBuffer(body: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => Math.floor(cut * body.length)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const to of [...points, body.length]) {
    if (to > from) pieces.push(body.subarray(from, to));
    from = Math.max(from, to);
  }
  return pieces;
}
