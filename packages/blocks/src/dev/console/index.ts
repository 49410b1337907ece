/**
 * The local Blocks console at `/_blocks/`: a page (served through Vite's dev
 * server, so its React code is compiled on request and never enters the
 * app's build) and its JSON API (service.ts), both behind guard.ts. The dev
 * plugin mounts it in local mode only.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { observeRuns } from '../../core/run-log.js';
import type { LocalUserPool } from '../../local/user-pool/index.js';
import { pathOf, type AppModuleLoader, type ConnectMiddleware } from '../../transports/node.js';
import { checkConsoleRequest } from './guard.js';
import { RequestLog, terminalLines } from './request-log.js';
import { createConsoleService } from './service.js';

export const CONSOLE_PATH = '/_blocks';
const API_PREFIX = `${CONSOLE_PATH}/api/`;
const UI_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ui');

export interface BlocksConsoleOptions {
  readonly load: AppModuleLoader;
  readonly pool: () => LocalUserPool | undefined;
  /** Vite's HTML transform (adds its client and the React preamble). */
  readonly transformHtml: (url: string, html: string) => Promise<string>;
  /**
   * Leave out Vite's client script: `blocks:dev` runs no WebSocket server
   * for it to connect to (the console needs no live reload there).
   */
  readonly withoutViteClient?: boolean;
  /** Bounds of the request log (RequestLog's defaults otherwise). */
  readonly requestLog?: { readonly maxEntries?: number; readonly maxBytes?: number };
  /** Told after the console changed a user (so a cached sign-in check is dropped). */
  readonly onUsersChanged?: () => void;
  /** Print `[rpc-in]`/`[rpc-out]` lines for every call (BLOCKS_LOG_CALLS=1). */
  readonly terminal?: boolean;
}

export interface BlocksConsole {
  readonly middleware: ConnectMiddleware;
  readonly log: RequestLog;
  /** Stops recording background runs (the dev server closed). */
  close(): void;
}

function refuse(res: ServerResponse, status: number, message: string, json: boolean): void {
  res.statusCode = status;
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('content-type', json ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8');
  res.end(json ? JSON.stringify({ error: { name: 'Forbidden', message } }) : message);
}

export function createBlocksConsole(options: BlocksConsoleOptions): BlocksConsole {
  // The log asks the service for secret values; the service reads the log: tied through this getter.
  const secrets = (): Promise<readonly string[]> => service.secrets();
  const log = new RequestLog({ secrets, ...options.requestLog });
  const service = createConsoleService({ load: options.load, pool: options.pool, log, ...(options.onUsersChanged && { onUsersChanged: options.onUsersChanged }) });
  // Background runs (queued jobs, schedules) join the log; their own JSON line already reaches the terminal.
  const stopRuns = observeRuns(log.observeRun);
  if (options.terminal) {
    log.onEntry((entry) => {
      if (entry.kind === 'job') return;
      for (const line of terminalLines(entry)) console.info(line);
    });
  }

  async function page(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const template = await readFile(path.join(UI_DIR, 'index.html'), 'utf8');
    const served = (file: string): string => `/@fs/${path.join(UI_DIR, file).split(path.sep).join('/').replace(/^\/+/, '')}`;
    let html = await options.transformHtml(`${CONSOLE_PATH}/`, template.replace('%ENTRY%', served('main.tsx')).replace('%STYLES%', served('console.css')));
    if (options.withoutViteClient) html = html.replace(/<script type="module" src="\/@vite\/client"><\/script>/g, '');
    res.statusCode = 200;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    // The console must not be framed by another page (clickjacking its buttons).
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('content-security-policy', "frame-ancestors 'none'");
    res.setHeader('referrer-policy', 'no-referrer');
    res.end(req.method === 'HEAD' ? '' : html);
  }

  const middleware: ConnectMiddleware = (req, res, next) => {
    const path = pathOf(req);
    if (path !== CONSOLE_PATH && !path.startsWith(`${CONSOLE_PATH}/`)) return next();
    const isApi = path.startsWith(API_PREFIX);
    const verdict = checkConsoleRequest(req, isApi ? 'api' : 'page');
    if (!verdict.ok) return refuse(res, verdict.status, verdict.message, isApi);
    if (isApi) {
      const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
      service.handle(req, res, path.slice(API_PREFIX.length), query).catch(next);
      return;
    }
    if (path === CONSOLE_PATH) {
      res.statusCode = 308;
      res.setHeader('location', `${CONSOLE_PATH}/`);
      res.end();
      return;
    }
    if (path !== `${CONSOLE_PATH}/` || (req.method !== 'GET' && req.method !== 'HEAD')) return refuse(res, 404, 'Not found', false);
    page(req, res).catch(next);
  };

  return { middleware, log, close: () => void stopRuns() };
}
