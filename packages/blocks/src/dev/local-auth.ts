import type { IncomingMessage, ServerResponse } from 'node:http';
import { localDataDir } from '../local/data-dir.js';
import { DEFAULT_PASSWORD_POLICY, createLocalUserPool, userPoolMiddleware, type LocalUserPool } from '../local/user-pool/index.js';
import type { AuthDefinition } from './auth-definition/derive.js';
import { localAuthOutputs } from './auth-definition/outputs.js';

/** Where the dev server mounts the local user pool. */
const LOCAL_POOL_PATH = '/local-cognito';
const LOCAL_USER_POOL_ID = 'local_blocks';
const LOCAL_CLIENT_ID = 'local-blocks-client';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * The local Cognito-compatible user pool, started once the server knows its
 * own origin (the issuer in every token names it). Starting also points the
 * Blocks' CognitoVerifier at this pool through the same environment variables
 * the Lambda gets in the cloud, plus the local issuer and JWKS URL.
 */
export class LocalAuth {
  #pool: LocalUserPool | undefined;
  #handler: Middleware | undefined;
  /** The app's defineAuth, once derived; until then (or without one) the built-in email sign-in. */
  definition: AuthDefinition | undefined;

  start(origin: string): LocalUserPool {
    const pool = createLocalUserPool({
      dataDir: localDataDir(),
      issuerBaseUrl: `${origin}${LOCAL_POOL_PATH}`,
      userPoolId: LOCAL_USER_POOL_ID,
      clientId: LOCAL_CLIENT_ID,
      ...(this.definition && { settings: this.definition.settings }),
    });
    Object.assign(process.env, {
      COGNITO_USER_POOL_ID: pool.userPoolId,
      COGNITO_CLIENT_ID: pool.clientId,
      COGNITO_ISSUER: pool.issuer,
      COGNITO_JWKS_URI: `${pool.issuer}/.well-known/jwks.json`,
    });
    this.#pool = pool;
    this.#handler = userPoolMiddleware(pool, { basePath: LOCAL_POOL_PATH });
    return pool;
  }

  get pool(): LocalUserPool | undefined {
    return this.#pool;
  }

  readonly middleware: Middleware = (req, res, next) => {
    if (this.#handler) this.#handler(req, res, next);
    else next();
  };
}

/**
 * The frontend's configuration in local mode, shaped like amplify_outputs.json:
 * its `auth` section follows the app's defineAuth when it was derived.
 */
export function localAmplifyOutputs(apiPath: string, definition?: AuthDefinition): Record<string, unknown> {
  const policy = DEFAULT_PASSWORD_POLICY;
  // The console's address reaches the page through the outputs, so a cloud build never contains it.
  const custom = { blocks_api_url: apiPath, blocks_mode: 'local', local_user_pool_endpoint: LOCAL_POOL_PATH, local_console_path: '/_blocks/' };
  if (definition) {
    return {
      version: '1.4',
      auth: localAuthOutputs(definition, { userPoolId: LOCAL_USER_POOL_ID, clientId: LOCAL_CLIENT_ID }),
      custom,
    };
  }
  return {
    version: '1.4',
    auth: {
      aws_region: 'us-east-1',
      user_pool_id: LOCAL_USER_POOL_ID,
      user_pool_client_id: LOCAL_CLIENT_ID,
      password_policy: {
        min_length: policy.minLength,
        require_lowercase: policy.requireLowercase,
        require_uppercase: policy.requireUppercase,
        require_numbers: policy.requireDigits,
        require_symbols: policy.requireSymbols,
      },
      standard_required_attributes: ['email'],
      username_attributes: ['email'],
      user_verification_types: ['email'],
      groups: [{ admins: { precedence: 0 } }],
      mfa_configuration: 'NONE',
      mfa_methods: [],
      unauthenticated_identities_enabled: false,
    },
    custom,
  };
}
