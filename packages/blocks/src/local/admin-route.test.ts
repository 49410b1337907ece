import { describe, expect, it } from 'vitest';
import { isApiError } from '../core/errors.js';
import type { RouteRequest } from '../core/routes.js';
import { HeaderMap } from '../rpc/header-map.js';
import { ADMIN_HEADER, adminRoute } from './admin-route.js';

function request(clientIp: string | undefined, headers: Record<string, string>): RouteRequest {
  return {
    method: 'GET',
    path: '/aws-blocks/local-admin/jobs/app/job',
    params: {},
    query: new URLSearchParams(),
    headers: new HeaderMap(headers),
    body: new Uint8Array(),
    requestId: 'test',
    ...(clientIp !== undefined && { clientIp }),
  };
}

async function statusOf(promise: unknown): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    if (isApiError(error)) return error.status;
    throw error;
  }
}

describe('local admin routes', () => {
  const route = adminRoute('GET', 'jobs/:scope/:id', async () => ({ jobs: [] }));

  it('answer a loopback caller that sends the admin header', async () => {
    const response = await route.handle(request('127.0.0.1', { [ADMIN_HEADER]: '1' }));
    expect(response.body).toBe('{"jobs":[]}');
    expect(await statusOf(route.handle(request('::1', { [ADMIN_HEADER]: '1' })))).toBe(200);
  });

  it('refuse another machine even with the header, and an unknown peer', async () => {
    expect(await statusOf(route.handle(request('203.0.113.5', { [ADMIN_HEADER]: '1' })))).toBe(403);
    expect(await statusOf(route.handle(request(undefined, { [ADMIN_HEADER]: '1' })))).toBe(403);
  });

  it('refuse a loopback caller without the header (what a cross-site page can send)', async () => {
    expect(await statusOf(route.handle(request('127.0.0.1', {})))).toBe(403);
    expect(await statusOf(route.handle(request('127.0.0.1', { [ADMIN_HEADER]: 'yes' })))).toBe(403);
  });
});
