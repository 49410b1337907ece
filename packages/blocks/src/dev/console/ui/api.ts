/**
 * The page's side of the console API: every call carries the console header
 * (guard.ts) and JSON, and a failure becomes a ConsoleError with the
 * server's message, ready to show.
 */
export const CONSOLE_HEADER = 'x-blocks-console';
const BASE = '/_blocks/api/';

export class ConsoleError extends Error {
  readonly status: number;
  readonly errorName: string;

  constructor(status: number, errorName: string, message: string) {
    super(message);
    this.status = status;
    this.errorName = errorName;
  }
}

async function request<T>(path: string, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${BASE}${path}`, { ...init, headers: { ...init.headers, [CONSOLE_HEADER]: '1' }, credentials: 'same-origin' });
  } catch {
    throw new ConsoleError(0, 'NetworkError', 'Cannot reach the dev server. Is npm run dev still running?');
  }
  const body = (await response.json().catch(() => null)) as { error?: { name?: string; message?: string } } | null;
  if (!response.ok) {
    throw new ConsoleError(response.status, body?.error?.name ?? 'Error', body?.error?.message ?? `The dev server answered ${response.status}`);
  }
  return body as T;
}

export const consoleApi = {
  get: <T>(path: string): Promise<T> => request<T>(path, { method: 'GET' }),
  post: <T>(path: string, input: object = {}): Promise<T> =>
    request<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) }),
};

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : 'Something went wrong.';
}
