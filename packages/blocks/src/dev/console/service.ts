/**
 * The console's JSON API under `/_blocks/api/`, behind the guard:
 *
 * - `GET  sections`            the tabs: users (when the local pool runs) and each Block's section
 * - `GET  requests?after=<seq>` new request-log entries, summaries only
 * - `GET  requests/<seq>`      one entry with its (redacted) params and result
 * - `POST requests/clear`
 * - `POST users/<action>`      the local user pool (users-section.ts)
 * - `POST blocks/<scope>/<id>/<action>` a Block's section action
 *
 * Errors are `{ error: { name, message } }` with the status of the
 * ApiError (or pool error) the action threw; anything else is a 500 whose
 * details go to the terminal only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readAppModule } from '../../core/app-module.js';
import { isConsoleBlock, type ConsoleAction, type ConsoleSection } from '../../core/console-panel.js';
import { isApiError } from '../../core/errors.js';
import { parseSafeJson, UnsafeJsonError } from '../../core/safe-json.js';
import { CognitoError, type LocalUserPool } from '../../local/user-pool/index.js';
import { readBody, type AppModuleLoader } from '../../transports/node.js';
import type { RequestLog, RequestLogEntry } from './request-log.js';
import { userActions } from './users-section.js';

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const FORBIDDEN_ACTIONS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

export interface ConsoleServiceOptions {
  readonly load: AppModuleLoader;
  readonly pool: () => LocalUserPool | undefined;
  readonly log: RequestLog;
  readonly onUsersChanged?: () => void;
}

interface BlockSection {
  readonly key: string;
  readonly kind: string;
  readonly section: ConsoleSection;
}

class ConsoleHttpError extends Error {
  constructor(readonly status: number, message: string, readonly errorName = 'BadRequest') {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-content-type-options', 'nosniff');
  res.end(JSON.stringify(body));
}

function summary(entry: RequestLogEntry): Omit<RequestLogEntry, 'params' | 'result'> {
  const { params: _params, result: _result, ...rest } = entry;
  return rest;
}

export function createConsoleService(options: ConsoleServiceOptions) {
  async function blockSections(): Promise<BlockSection[]> {
    const { resources } = readAppModule(await options.load());
    return resources.filter(isConsoleBlock).map((block) => ({ key: `${block.scope.name}/${block.id}`, kind: block.kind, section: block.consoleSection() }));
  }

  /** Every value a Block reports secret, for the request log; a failure hides nothing rather than breaking the log. */
  async function secrets(): Promise<readonly string[]> {
    try {
      const sections = await blockSections();
      return (await Promise.all(sections.map(({ section }) => section.secrets?.() ?? Promise.resolve([])))).flat();
    } catch {
      return [];
    }
  }

  async function readInput(req: IncomingMessage): Promise<Record<string, unknown>> {
    const { body, tooLarge } = await readBody(req, MAX_BODY_BYTES);
    if (tooLarge) throw new ConsoleHttpError(413, `Request body exceeds ${MAX_BODY_BYTES} bytes`, 'PayloadTooLarge');
    if (body.byteLength === 0) return {};
    let parsed: unknown;
    try {
      parsed = parseSafeJson(new TextDecoder().decode(body));
    } catch (error) {
      throw new ConsoleHttpError(400, error instanceof UnsafeJsonError ? `The body is refused: ${error.message}` : 'The body is not JSON');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConsoleHttpError(400, 'The body must be a JSON object');
    return parsed as Record<string, unknown>;
  }

  function pick(actions: Readonly<Record<string, ConsoleAction>>, name: string): ConsoleAction {
    const action = !FORBIDDEN_ACTIONS.has(name) && Object.hasOwn(actions, name) ? actions[name] : undefined;
    if (typeof action !== 'function') throw new ConsoleHttpError(404, `No action "${name.slice(0, 60)}"`, 'NotFound');
    return action;
  }

  async function route(req: IncomingMessage, path: string, query: URLSearchParams): Promise<{ status: number; body: unknown }> {
    const method = req.method ?? 'GET';
    const parts = path.split('/').filter(Boolean).map((part) => decodeURIComponent(part));
    const [head, ...rest] = parts;
    const get = method === 'GET' || method === 'HEAD';
    if (head === 'sections' && get && rest.length === 0) {
      // Any console tab counts as watching: a call made now is shown in full when the log is opened.
      options.log.watch();
      const sections = await blockSections();
      return {
        status: 200,
        body: {
          users: options.pool() !== undefined,
          sections: sections.map(({ key, kind, section }) => ({ key, kind, ui: section.ui, tab: section.tab, info: section.info ?? {}, actions: Object.keys(section.actions) })),
        },
      };
    }
    if (head === 'requests') {
      if (get && rest.length === 0) {
        options.log.watch();
        await options.log.settled();
        const after = Number(query.get('after') ?? '0');
        return { status: 200, body: { entries: options.log.since(Number.isFinite(after) ? after : 0).map(summary), stats: options.log.stats } };
      }
      if (get && rest.length === 1 && /^\d+$/.test(rest[0]!)) {
        const entry = options.log.get(Number(rest[0]));
        if (!entry) throw new ConsoleHttpError(404, 'That request is no longer in the log', 'NotFound');
        return { status: 200, body: { entry } };
      }
      if (method === 'POST' && rest.length === 1 && rest[0] === 'clear') {
        options.log.clear();
        return { status: 200, body: { ok: true } };
      }
    }
    if (head === 'users' && method === 'POST' && rest.length === 1) {
      const pool = options.pool();
      if (!pool) throw new ConsoleHttpError(404, 'No local user pool (cloud mode)', 'NotFound');
      const action = pick(userActions(pool), rest[0]!);
      const body = await action(await readInput(req));
      if (rest[0] !== 'list') options.onUsersChanged?.();
      return { status: 200, body };
    }
    if (head === 'blocks' && method === 'POST' && rest.length === 3) {
      const key = `${rest[0]}/${rest[1]}`;
      const found = (await blockSections()).find((candidate) => candidate.key === key);
      if (!found) throw new ConsoleHttpError(404, `No Block "${key.slice(0, 100)}" with a console section`, 'NotFound');
      const action = pick(found.section.actions, rest[2]!);
      return { status: 200, body: await action(await readInput(req)) };
    }
    throw new ConsoleHttpError(404, 'Not found', 'NotFound');
  }

  async function handle(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    try {
      const { status, body } = await route(req, path, query);
      send(res, status, body);
    } catch (error) {
      if (error instanceof ConsoleHttpError) return send(res, error.status, { error: { name: error.errorName, message: error.message } });
      if (isApiError(error)) return send(res, error.status, { error: { name: error.name, message: error.message, ...(error.data !== undefined && { details: error.data }) } });
      if (error instanceof CognitoError) {
        const status = error.type === 'UserNotFoundException' ? 404 : error.type === 'UsernameExistsException' ? 409 : error.status;
        return send(res, status, { error: { name: error.type, message: error.message } });
      }
      if (error instanceof URIError) return send(res, 400, { error: { name: 'BadRequest', message: 'Malformed path' } });
      console.error('[blocks console] request failed:', error);
      send(res, 500, { error: { name: 'InternalError', message: 'The console action failed; see the dev server terminal.' } });
    }
  }

  return { handle, secrets };
}
