import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { AUTH_BASIC_SECRETS_ENV, authBasicKey } from '../auth-basic/secret-config.js';
import { KV_TABLE } from '../kv/dynamodb-schema.js';
import { API_PATH } from '../rpc/protocol.js';
import { allowedOrigins, type BlocksMode, type HostingBranch } from './cors.js';
import { discoverApp, storeKey, type DiscoveredApp } from './discover.js';
import { writeLambdaEntry } from './lambda-entry.js';

export interface BlocksBackendOptions {
  /** `sandbox`: tables go with the stack. `production`: tables retained, PITR, deletion protection. */
  readonly mode: BlocksMode;
  /** The Amplify user pool the Blocks' CognitoVerifier checks tokens against. */
  readonly cognito?: { readonly userPoolId: string; readonly clientId: string };
  /** The Amplify Hosting branch whose origin may call the API (production). */
  readonly hosting?: HostingBranch;
  /** More browser origins, e.g. custom domains: `https://app.example.com`. */
  readonly extraOrigins?: readonly string[];
  /** Repository root (holds package-lock.json and aws-blocks/). Default: the current directory. */
  readonly projectRoot?: string;
  /** The app's Blocks module, relative to projectRoot. Default `aws-blocks/index.ts`. */
  readonly appEntry?: string;
  /** Steady-state requests per second and burst for the whole API. */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
}

export interface BlocksBackend {
  /** `https://<api>.execute-api.<region>.amazonaws.com/aws-blocks/api` */
  readonly apiUrl: string;
  readonly handler: NodejsFunction;
  readonly api: HttpApi;
  /** One table per KVStore, keyed `<scope>/<id>`. */
  readonly tables: ReadonlyMap<string, Table>;
  /** One generated session key secret per AuthBasic, keyed `<scope>/<id>`. */
  readonly authSecrets: ReadonlyMap<string, Secret>;
  readonly app: DiscoveredApp;
}

/** Data-plane actions the KVStore implementation uses, and nothing more. */
const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
];

/**
 * Reads what aws-blocks/index.ts declares (under the `cdk` condition) and
 * creates its cloud backend in `scope`: one DynamoDB table per KVStore, one
 * Lambda running the same dispatcher as `npm run dev`, and an HTTP API in
 * front of it.
 */
export async function createBlocksBackend(scope: Construct, options: BlocksBackendOptions): Promise<BlocksBackend> {
  const projectRoot = path.resolve(options.projectRoot ?? process.cwd());
  const appEntry = path.resolve(projectRoot, options.appEntry ?? 'aws-blocks/index.ts');
  const appModule = (await import(pathToFileURL(appEntry).href)) as Record<string, unknown>;
  const app = discoverApp(appModule);
  if (app.namespaces.length === 0) {
    throw new Error(`${path.relative(projectRoot, appEntry)} exports no ApiNamespace, so there is no Blocks API to deploy.`);
  }
  const construct = new BlocksBackendConstruct(scope, 'BlocksBackend', { ...options, projectRoot, appEntry, app });
  return {
    apiUrl: construct.apiUrl,
    handler: construct.handler,
    api: construct.api,
    tables: construct.tables,
    authSecrets: construct.authSecrets,
    app,
  };
}

interface ConstructProps extends BlocksBackendOptions {
  readonly projectRoot: string;
  readonly appEntry: string;
  readonly app: DiscoveredApp;
}

class BlocksBackendConstruct extends Construct {
  readonly apiUrl: string;
  readonly handler: NodejsFunction;
  readonly api: HttpApi;
  readonly tables = new Map<string, Table>();
  readonly authSecrets = new Map<string, Secret>();

  constructor(scope: Construct, id: string, props: ConstructProps) {
    super(scope, id);
    const production = props.mode === 'production';
    const removalPolicy = production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    for (const store of props.app.stores) {
      const table = new Table(this, `Store-${store.scopeName}-${store.id}`, {
        partitionKey: { name: KV_TABLE.partitionKey, type: AttributeType.STRING },
        sortKey: { name: KV_TABLE.sortKey, type: AttributeType.STRING },
        timeToLiveAttribute: KV_TABLE.ttl,
        billingMode: BillingMode.PAY_PER_REQUEST,
        removalPolicy,
        deletionProtection: production,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: production },
      });
      this.tables.set(storeKey(store), table);
      if (!production) {
        Validations.of(table).acknowledge({
          id: 'AwsSolutions-DDB3',
          reason: 'Sandbox tables hold throwaway data and are destroyed with the sandbox; the production preset enables point-in-time recovery.',
        });
      }
    }

    // Each AuthBasic signs its session cookies with a key generated here, at
    // deploy time: it is never in the bundle, the template or the repository.
    for (const auth of props.app.authBasics) {
      const key = authBasicKey(auth.scopeName, auth.id);
      const secret = new Secret(this, `AuthBasicKey-${auth.scopeName}-${auth.id}`, {
        description: `Session signing key of AuthBasic ${key} (read by the Blocks API handler only).`,
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
        removalPolicy,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'Rotating an AuthBasic session key signs every user out; replace the value by hand when a key must change.',
      });
      this.authSecrets.set(key, secret);
    }

    const logGroup = new LogGroup(this, 'HandlerLogs', { retention: RetentionDays.ONE_MONTH, removalPolicy });
    const role = new Role(this, 'HandlerRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Blocks API handler: writes its own logs, reads/writes its own tables and reads its own secrets only.',
      inlinePolicies: {
        logs: new PolicyDocument({
          statements: [
            new PolicyStatement({
              effect: Effect.ALLOW,
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [logGroup.logGroupArn],
            }),
          ],
        }),
      },
    });
    if (this.tables.size > 0) {
      role.addToPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: TABLE_ACTIONS,
          resources: [...this.tables.values()].map((table) => table.tableArn),
        }),
      );
    }
    if (this.authSecrets.size > 0) {
      role.addToPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['secretsmanager:GetSecretValue'],
          resources: [...this.authSecrets.values()].map((secret) => secret.secretArn),
        }),
      );
    }
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5',
      reason: "Log streams are created at run time; the grant covers only streams of this function's own log group.",
    });

    const tableNames = Object.fromEntries([...this.tables].map(([key, table]) => [key, table.tableName]));
    const secretArns = Object.fromEntries([...this.authSecrets].map(([key, secret]) => [key, secret.secretArn]));
    this.handler = new NodejsFunction(this, 'Handler', {
      entry: writeLambdaEntry(props.projectRoot, props.appEntry),
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      // JSON in, JSON out: 512 MB gives the CPU share that keeps p99 low
      // without paying for memory the handler never touches.
      memorySize: 512,
      // Well below the HTTP API's 30 s integration limit, so a slow call ends
      // as a Lambda timeout (logged) rather than a bare 503 from the gateway.
      timeout: Duration.seconds(10),
      role,
      logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        BLOCKS_KV_TABLES: Stack.of(this).toJsonString(tableNames),
        ...(this.authSecrets.size > 0 && { [AUTH_BASIC_SECRETS_ENV]: Stack.of(this).toJsonString(secretArns) }),
        ...(props.cognito && {
          COGNITO_USER_POOL_ID: props.cognito.userPoolId,
          COGNITO_CLIENT_ID: props.cognito.clientId,
        }),
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        // Minifying renames classes, and error names (`error.data.name`) are part of the API.
        keepNames: true,
        sourceMap: true,
        sourcesContent: false,
        mainFields: ['module', 'main'],
        // The runtime ships AWS SDK v3: leaving it out keeps the bundle small.
        externalModules: ['@aws-sdk/*'],
        esbuildArgs: { '--conditions': 'aws-runtime' },
        // CommonJS dependencies inside an ESM bundle still call require().
        banner: "import { createRequire as __blocksCreateRequire } from 'node:module'; const require = __blocksCreateRequire(import.meta.url);",
      },
    });

    const origins = allowedOrigins(props.mode, props.hosting, props.extraOrigins ?? []);
    this.api = new HttpApi(this, 'Api', {
      description: 'Blocks API (JSON-RPC over POST /aws-blocks/api)',
      createDefaultStage: false,
      ...(origins.length > 0 && {
        corsPreflight: {
          allowOrigins: origins,
          allowMethods: [CorsHttpMethod.POST],
          allowHeaders: ['content-type', 'authorization'],
          allowCredentials: true,
          maxAge: Duration.hours(1),
        },
      }),
    });
    this.api.addRoutes({
      path: API_PATH,
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('Integration', this.handler),
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.ONE_MONTH, removalPolicy });
    const throttle = props.throttle ?? { rateLimit: 100, burstLimit: 200 };
    new HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.jsonWithStandardFields(),
      },
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'Authorization is per method inside the handler (CognitoVerifier checks Amplify tokens; some methods are public by design).',
    });
    this.apiUrl = `${this.api.apiEndpoint}${API_PATH}`;
  }
}
