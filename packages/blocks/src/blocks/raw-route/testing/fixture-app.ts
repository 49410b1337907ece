// An app module with a few RawRoutes, served by the dev server in raw-route.test.ts
// (and synthesised under the cdk condition in raw-route.cdk.test.ts).
import { ApiNamespace, RawRoute, Scope, UnauthorizedError } from 'blocks-kit';

export const scope = new Scope('fixture-raw');

new RawRoute(scope, 'echo', {
  method: 'POST',
  path: '/hooks/:provider',
  maxBodyBytes: 32,
  handler: (request) => ({
    status: 201,
    headers: { 'content-type': 'application/json', 'x-hook': request.params.provider ?? '' },
    body: JSON.stringify({ provider: request.params.provider, bytes: [...request.body], method: request.method }),
  }),
});

new RawRoute(scope, 'go', {
  method: ['GET'],
  path: '/go/*target',
  handler: (request) => ({ status: 302, headers: { location: `https://example.com/${request.params.target}` } }),
});

new RawRoute(scope, 'boom', {
  method: 'GET',
  path: '/boom',
  handler: () => {
    throw new Error('internal detail db-password-42');
  },
});

new RawRoute(scope, 'private', {
  method: ['PUT', 'DELETE'],
  path: '/private/:id',
  handler: () => Promise.reject(new UnauthorizedError('Bad signature')),
});

export const api = new ApiNamespace(scope, 'api', () => ({ ping: () => 'pong' }));
