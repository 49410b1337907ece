/**
 * The user pool's key set as the deployment put it into the function's
 * environment (`COGNITO_JWKS`, fetched by a custom resource at deploy time:
 * cdk/cognito-jwks.ts), so a cold start verifies its first token without a
 * TLS round trip to Cognito and without loading `node:https`.
 *
 * The value is compact JSON: `{"uri":"<the JWKS URI>","keys":[<JWK>, ...]}`.
 * The URI says which pool the keys belong to; a set for any other URI is
 * ignored (a stale or copied environment must not seed the wrong pool).
 * Anything unusable is logged once and ignored: the verifier then fetches
 * the keys as it would without the variable. Keys are only ever a head
 * start: a token naming a `kid` outside the set still makes the cache fetch
 * the URI (key rotation), rate-limited by aws-jwt-verify.
 */
import { assertIsJwks, type Jwks } from 'aws-jwt-verify/jwk';
import type { Json } from 'aws-jwt-verify/safe-json-parse';
import { isJsonObject, safeJsonParse } from '../core/safe-json.js';

export const DEPLOY_TIME_JWKS_ENV = 'COGNITO_JWKS';

/** Each distinct problem is reported once per process, not once per verifier or request. */
const reported = new Set<string>();

function ignore(reason: string): undefined {
  if (!reported.has(reason)) {
    reported.add(reason);
    console.warn(`[blocks-kit] auth: ${DEPLOY_TIME_JWKS_ENV} ignored (${reason}); the signing keys will be fetched`);
  }
  return undefined;
}

/** The key set in `value` if it is a well-formed set published at `jwksUri`; else undefined (logged). */
export function deployTimeJwks(value: string | undefined, jwksUri: string): Jwks | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = safeJsonParse(value);
  if (!isJsonObject(parsed) || typeof parsed.uri !== 'string' || !Array.isArray(parsed.keys)) {
    return ignore('not JSON of the form {"uri": ..., "keys": [...]}');
  }
  if (parsed.uri !== jwksUri) return ignore(`keys of ${parsed.uri}, not of this verifier's ${jwksUri}`);
  const jwks = { keys: parsed.keys } as Json;
  try {
    assertIsJwks(jwks);
  } catch (error) {
    return ignore(`malformed key set: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (jwks.keys.length === 0) return ignore('empty key set');
  return jwks;
}
