import { describe, expect, it } from 'vitest';
import type { ServedExchange } from '../../transports/node.js';
import { createRedactor, REDACTED } from './redact.js';
import { RequestLog, terminalLines } from './request-log.js';
import { RingBuffer } from './ring-buffer.js';

const encoder = new TextEncoder();
const jwt = (claims: object): string =>
  `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2lnbmF0dXJlLXZhbHVl`;

function rpc(method: string, params: unknown, answer: object, headers: Record<string, string> = {}): ServedExchange {
  return {
    kind: 'rpc',
    method: 'POST',
    path: '/aws-blocks/api',
    headers: new Headers(headers),
    requestBody: encoder.encode(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })),
    status: 'error' in answer ? 409 : 200,
    responseHeaders: new Headers({ 'x-request-id': 'req-1' }),
    responseBody: JSON.stringify({ jsonrpc: '2.0', id: 1, ...answer }),
    startedAt: Date.parse('2026-01-02T03:04:05Z'),
    durationMs: 7,
  };
}

describe('redaction', () => {
  it('hides credential keys, JWTs anywhere and the given secret values, keeps the rest', () => {
    const redact = createRedactor(['sk_live_abcdef']);
    const token = jwt({ sub: 'x' });
    expect(
      redact({
        email: 'ada@example.com',
        password: 'Passw0rd!',
        newPassword: 'N3w-pass!',
        nested: { Authorization: `Bearer ${token}`, 'set-cookie': 'session=abc', api_key: 'k', note: `token is ${token}` },
        text: 'the key is sk_live_abcdef.',
        list: [{ refreshToken: 'r' }],
        code: '123456',
      }),
    ).toEqual({
      email: 'ada@example.com',
      password: REDACTED,
      newPassword: REDACTED,
      nested: { Authorization: REDACTED, 'set-cookie': REDACTED, api_key: REDACTED, note: `token is ${REDACTED}` },
      text: `the key is ${REDACTED}.`,
      list: [{ refreshToken: REDACTED }],
      code: '123456',
    });
  });

  it('stops at a depth and a breadth limit instead of walking everything', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 50; i += 1) deep = { deeper: deep };
    expect(JSON.stringify(createRedactor()(deep))).not.toContain('bottom');
    const wide = createRedactor()(Array.from({ length: 1000 }, (_, i) => i)) as unknown[];
    expect(wide.length).toBe(201);
  });
});

describe('the request log', () => {
  it('records method, caller, status, error code and duration, with secrets redacted', async () => {
    const log = new RequestLog({ secrets: async () => ['hunter2-secret'] });
    log.watch();
    const token = jwt({ sub: 'sub-1', email: 'ada@example.com' });
    log.observe(rpc('auth.signIn', { username: 'ada', password: 'Sup3r-secret!' }, { result: { token: 'tok-123', note: 'hunter2-secret' } }, { authorization: `Bearer ${token}` }));
    log.observe(rpc('notes.update', { id: 'n1' }, { error: { code: -32009, message: 'Conflict' } }));
    await log.settled();
    const [first, second] = log.since();
    expect(first).toMatchObject({
      seq: 1,
      time: '2026-01-02T03:04:05.000Z',
      method: 'auth.signIn',
      caller: { sub: 'sub-1', email: 'ada@example.com', label: 'ada@example.com' },
      status: 200,
      durationMs: 7,
      requestId: 'req-1',
      params: { username: 'ada', password: REDACTED },
      result: { token: REDACTED, note: REDACTED },
    });
    expect(second).toMatchObject({ seq: 2, caller: { label: 'anonymous' }, status: 409, errorCode: -32009, errorMessage: 'Conflict' });
    const stored = JSON.stringify(log.since());
    for (const secret of ['Sup3r-secret!', 'tok-123', 'hunter2-secret', token]) expect(stored).not.toContain(secret);
    const lines = terminalLines(first!).join('\n');
    expect(lines).toContain('[rpc-in] #1 auth.signIn by ada@example.com');
    expect(lines).not.toContain('Sup3r-secret!');
    expect(log.since(1).map((entry) => entry.seq)).toEqual([2]);
    expect(log.get(2)?.method).toBe('notes.update');
  });

  it('keeps bounded memory however many calls it sees (ring buffer)', async () => {
    const log = new RequestLog({ maxEntries: 200, maxBytes: 512 * 1024 });
    const big = 'x'.repeat(8000);
    for (let i = 0; i < 20_000; i += 1) log.observe(rpc('notes.create', { text: `${i}-${big}` }, { result: { ok: i } }));
    await log.settled();
    const { entries, bytes, recorded } = log.stats;
    expect(recorded).toBe(20_000);
    expect(entries).toBeLessThanOrEqual(200);
    expect(entries).toBeGreaterThan(0);
    expect(bytes).toBeLessThanOrEqual(512 * 1024);
    // The newest survive, the oldest are gone.
    expect(log.since().at(-1)?.seq).toBe(20_000);
    expect(log.get(1)).toBeUndefined();
  });

  it('keeps a success\'s result only while a console page watches; failures always say why', async () => {
    let now = 0;
    const log = new RequestLog({ now: () => now });
    log.observe(rpc('notes.list', { limit: 5 }, { result: { items: [1] } }));
    log.observe(rpc('notes.update', { id: 'n1' }, { error: { code: -32009, message: 'Conflict' } }));
    log.watch();
    log.observe(rpc('notes.list', { limit: 6 }, { result: { items: [2] } }));
    now += 31_000;
    log.observe(rpc('notes.list', { limit: 7 }, { result: { items: [3] } }));
    await log.settled();
    const entries = log.since();
    expect(entries.map((entry) => [entry.params, entry.result, entry.resultSkipped])).toEqual([
      [{ limit: 5 }, undefined, true],
      [{ id: 'n1' }, undefined, undefined],
      [{ limit: 6 }, { items: [2] }, undefined],
      [{ limit: 7 }, undefined, true],
    ]);
    expect(entries[1]).toMatchObject({ errorCode: -32009, errorMessage: 'Conflict' });
  });

  it('cuts an oversized payload to a preview', async () => {
    const log = new RequestLog({ maxPayloadChars: 100 });
    log.observe(rpc('notes.create', { text: 'y'.repeat(1000) }, { result: null }));
    await log.settled();
    expect(log.since()[0]?.params).toMatchObject({ truncated: true, totalChars: 1011 });
  });
});

describe('RingBuffer', () => {
  it('drops the oldest entries past its entry and byte limits', () => {
    const ring = new RingBuffer<number>({ maxEntries: 3, maxBytes: 1000 }, () => 100);
    for (let i = 1; i <= 5000; i += 1) ring.push(i);
    expect(ring.toArray()).toEqual([4998, 4999, 5000]);
    expect(ring.bytes).toBe(300);
    const bytes = new RingBuffer<number>({ maxEntries: 100, maxBytes: 250 }, () => 100);
    for (let i = 1; i <= 10; i += 1) bytes.push(i);
    expect(bytes.toArray()).toEqual([9, 10]);
  });
});
