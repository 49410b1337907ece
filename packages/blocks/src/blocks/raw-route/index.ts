/**
 * RawRoute, local variant (the default condition): a plain HTTP handler at
 * `/aws-blocks/raw/<path>` for webhooks, redirects and anything else that
 * is not JSON-RPC, served by the dev server. Deployed, the same declaration
 * is a route of the HTTP API into the same Lambda (index.cdk.ts).
 *
 * @example
 * new RawRoute(scope, 'stripe-webhook', {
 *   method: 'POST',
 *   path: '/webhooks/stripe',
 *   handler: async (request) => ({ status: 200 }),
 * });
 */
import { DeclaredRawRoute } from './declared-route.js';

export * from './public.js';

export class RawRoute extends DeclaredRawRoute {}
