import type { PoolContext } from './context.js';
import { CognitoError } from './errors.js';
import { requireString } from './input.js';
import type { JsonObject } from '../../core/safe-json.js';

/** One Cognito Identity Provider action: a validated JSON body in, a JSON body out. */
export type Operation = (ctx: PoolContext, body: JsonObject) => Promise<JsonObject>;

/** Requests naming another app client fail as they would against a real pool. */
export function assertClient(ctx: PoolContext, body: JsonObject): void {
  const clientId = requireString(body, 'ClientId', 128);
  if (clientId !== ctx.clientId) {
    throw new CognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
  }
}
