/**
 * A server for the throughput benchmarks to load, run as its own process
 * (`node --import tsx bench/target-server.ts <mode> <port>`), so the load
 * generator never shares its event loop:
 *
 * - `constant`: bare `node:http`, reads the body, answers a fixed JSON-RPC
 *   result. The floor any Node HTTP API pays.
 * - `dispatcher`: the same `node:http` server with the kit's `serveRpc` and
 *   the real aws-blocks/index.ts behind it: JSON-RPC parsing, zod, the
 *   CognitoVerifier (JWKS from a local fixture, cached after the first call)
 *   and the local KVStore in BLOCKS_DATA_DIR, seeded with notes. What the dev
 *   server runs, minus Vite's middleware stack.
 *
 * Prints one JSON line `{ url, token }` when ready; SIGTERM stops it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bearer, callRpc, createDispatcher, idTokenClaims, startJwksFixture } from 'blocks-kit/testing';
import { serveRpc } from '../packages/blocks/src/transports/node.ts';

const SEED_NOTES = 50;
const CLIENT_ID = 'bench-client';
const CONSTANT_BODY = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { items: [] } });

export interface TargetReady {
  readonly url: string;
  /** A valid ID token for the seeded user (dispatcher mode). */
  readonly token: string;
}

function constantHandler(req: IncomingMessage, res: ServerResponse): void {
  // Read the body like any real handler must, then answer without looking at it.
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(CONSTANT_BODY);
  });
}

async function dispatcherHandler(): Promise<{ handler: (req: IncomingMessage, res: ServerResponse) => void; token: string }> {
  const jwks = await startJwksFixture();
  Object.assign(process.env, jwks.verifierEnvironment(CLIENT_ID));
  const app = (await import('../aws-blocks/index.ts')) as Record<string, unknown>;
  const dispatcher = createDispatcher(app);
  const token = jwks.mintToken(
    idTokenClaims({ issuer: jwks.issuer, clientId: CLIENT_ID, sub: 'bench-user', email: 'bench@example.com', ttlSeconds: 6 * 3600 }),
  );
  for (let i = 0; i < SEED_NOTES; i++) {
    const created = await callRpc(dispatcher, 'notes.create', { text: `seed note ${i}` }, bearer(token));
    if (created.status !== 200) throw new Error(`seeding failed: ${created.status} ${JSON.stringify(created.error)}`);
  }
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    serveRpc(req, res, dispatcher).catch((error: unknown) => {
      console.error(error);
      res.statusCode = 500;
      res.end();
    });
  };
  return { handler, token };
}

async function main(): Promise<void> {
  const [mode, portArg] = process.argv.slice(2);
  if (mode !== 'constant' && mode !== 'dispatcher') throw new Error('usage: target-server.ts constant|dispatcher <port>');
  const { handler, token } = mode === 'constant' ? { handler: constantHandler, token: '' } : await dispatcherHandler();
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(Number(portArg ?? 0), '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const ready: TargetReady = { url: `http://127.0.0.1:${port}/aws-blocks/api`, token };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
