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

const nonEmpty = (member: unknown): boolean => typeof member === 'string' && member !== '';

export const DEPLOY_TIME_JWKS_ENV = 'COGNITO_JWKS';

/** Values already reported: once per process, not once per verifier. */
const reported = new Set<string>();

function ignore(value: string, reason: string): undefined {
  if (!reported.has(value)) {
    reported.add(value);
    console.warn(`[blocks-kit] auth: ${DEPLOY_TIME_JWKS_ENV} ignored (${reason}); the signing keys will be fetched`);
  }
  return undefined;
}

/** The key set in `value` if it is a well-formed set published at `jwksUri`; else undefined (logged). */
export function deployTimeJwks(value: string | undefined, jwksUri: string): Jwks | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = safeJsonParse(value);
  if (!isJsonObject(parsed) || typeof parsed.uri !== 'string' || !Array.isArray(parsed.keys)) {
    return ignore(value, 'not JSON of the form {"uri": ..., "keys": [...]}');
  }
  if (parsed.uri !== jwksUri) return ignore(value, `keys of ${parsed.uri}, not of this verifier's ${jwksUri}`);
  const jwks = { keys: parsed.keys } as Json;
  try {
    assertIsJwks(jwks);
  } catch (error) {
    return ignore(value, `malformed key set: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (jwks.keys.length === 0) return ignore(value, 'empty key set');
  // The library checks only the members it finds; a seeded key must be complete (RSA: the only kind the verifier accepts).
  const incomplete = jwks.keys.find((key) => key.kty !== 'RSA' || !nonEmpty(key.kid) || !nonEmpty(key.n) || !nonEmpty(key.e));
  if (incomplete) return ignore(value, 'malformed key set: every key needs kty "RSA", kid, n and e');
  return jwks;
}
