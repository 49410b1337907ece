import { isLoopbackHostname } from '../core/loopback.js';

export type BlocksMode = 'sandbox' | 'production';

/** Where `npm run dev` and `vite preview` serve the app during sandbox development. */
export const LOCAL_DEV_ORIGINS = [
  'http://localhost:5173',
  'http://127.0.0.1:5173',
  'http://localhost:4173',
  'http://127.0.0.1:4173',
];

export interface HostingBranch {
  readonly appId: string;
  readonly branch: string;
}

/** Amplify Hosting serves a branch at https://<branch>.<app id>.amplifyapp.com ('/' in names becomes '-'). */
function amplifyHostingOrigin({ appId, branch }: HostingBranch): string {
  const label = branch.replace(/[^A-Za-z0-9-]/g, '-').toLowerCase();
  return `https://${label}.${appId}.amplifyapp.com`;
}

/**
 * A CORS origin as API Gateway compares it: scheme, host and optional port,
 *  no path and no wildcard. Credentials are allowed (cookie sessions), so
 * `*` is never acceptable.
 */
function assertOrigin(origin: string): string {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new Error(`Invalid CORS origin "${origin}": expected e.g. https://app.example.com`);
  }
  const local = isLoopbackHostname(url.hostname);
  if (url.origin !== origin || (url.protocol !== 'https:' && !(local && url.protocol === 'http:'))) {
    throw new Error(
      `Invalid CORS origin "${origin}": use https://host[:port] with no path, wildcard or trailing slash (http only for localhost).`,
    );
  }
  return origin;
}

/** The allowlist per preset: local dev origins in a sandbox; the hosted branch plus custom domains in production. */
export function allowedOrigins(mode: BlocksMode, hosting: HostingBranch | undefined, extra: readonly string[]): string[] {
  const origins = mode === 'sandbox' ? [...LOCAL_DEV_ORIGINS] : [];
  if (mode === 'production' && hosting) origins.push(amplifyHostingOrigin(hosting));
  origins.push(...extra.map(assertOrigin));
  return [...new Set(origins)];
}
