import { createHash, createPrivateKey, createPublicKey, generateKeyPair, hkdfSync, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { isJsonObject } from '../../core/safe-json.js';
import type { UserPoolStore } from './store.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/** Type aliases (not interfaces) so they fit aws-jwt-verify's `Jwks` for `verifier.cacheJwks(...)`. */
export type PublicJwk = {
  kty: 'RSA';
  alg: 'RS256';
  use: 'sig';
  kid: string;
  n: string;
  e: string;
};

export type JwksDocument = {
  keys: PublicJwk[];
};

export interface SigningKeys {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: PublicJwk;
  /** A 32-byte secret for `label`, derived from the private key so no second secret file is needed. */
  secret(label: string): Buffer;
}

function toSigningKeys(privateKeyPem: string): SigningKeys {
  const privateKey = createPrivateKey(privateKeyPem);
  const publicKey = createPublicKey(privateKey);
  const { n, e } = publicKey.export({ format: 'jwk' });
  if (typeof n !== 'string' || typeof e !== 'string') throw new Error('Local user pool signing key is not RSA');
  // RFC 7638 thumbprint: stable across restarts, changes only with the key.
  const kid = createHash('sha256')
    .update(JSON.stringify({ e, kty: 'RSA', n }))
    .digest('base64url');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return {
    kid,
    privateKey,
    publicKey,
    jwk: { kty: 'RSA', alg: 'RS256', use: 'sig', kid, n, e },
    secret: (label) => Buffer.from(hkdfSync('sha256', der, 'blocks-local-user-pool', label, 32)),
  };
}

function keyFile(store: UserPoolStore): string {
  return path.join(store.root, 'signing-key.json');
}

async function readKeyPem(store: UserPoolStore): Promise<string | undefined> {
  const stored = await store.readJson(keyFile(store));
  return isJsonObject(stored) && typeof stored.privateKeyPem === 'string' ? stored.privateKeyPem : undefined;
}

/**
 * Loads the pool's RSA signing key, generating it on first run. It lives in
 * the data dir (file mode 0600, never in the repo) so tokens issued before a
 * dev-server restart still verify after it.
 */
export async function loadOrCreateSigningKeys(store: UserPoolStore): Promise<SigningKeys> {
  const existing = await readKeyPem(store);
  if (existing) return toSigningKeys(existing);
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  await store.writeJson(keyFile(store), { version: 1, privateKeyPem: pem, createdAt: new Date().toISOString() });
  // Another process may have raced us; whichever file won is the key for everyone.
  return toSigningKeys((await readKeyPem(store)) ?? pem);
}
