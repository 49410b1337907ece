import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Duration, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Effect, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, CfnFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { bindingKey, type Binding } from '../core/binding.js';
import { API_PATH } from '../rpc/protocol.js';
import { allowedOrigins, type BlocksMode, type HostingBranch } from './cors.js';
import { readAppModule, type AppDeclarations } from '../core/app-module.js';
import { DEPLOY_TIME_JWKS_ENV } from '../auth/deploy-time-jwks.js';
import { deployTimeCognitoJwks } from './cognito-jwks.js';
import { blocksLambdaBundling } from './lambda-bundling.js';
import { writeLambdaEntry } from './lambda-entry.js';
import { isCloudBlock, type ProvisionContext, type WorkerFunction } from './provision.js';

export interface BlocksBackendOptions {
  /** `sandbox`: data goes with the stack. `production`: data retained, PITR, deletion protection. */
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
  readonly app: AppDeclarations;
}

/**
 * Reads what aws-blocks/index.ts declares (under the `cdk` condition) and
 * creates its cloud backend in `scope`: one Lambda running the same
 * dispatcher as `npm run dev`, an HTTP API in front of it, and whatever each
 * declared Block provisions for itself (tables, buckets, secrets...).
 */
export async function createBlocksBackend(scope: Construct, options: BlocksBackendOptions): Promise<BlocksBackend> {
  const projectRoot = path.resolve(options.projectRoot ?? process.cwd());
  const appEntry = path.resolve(projectRoot, options.appEntry ?? 'aws-blocks/index.ts');
  const appModule = (await import(pathToFileURL(appEntry).href)) as Record<string, unknown>;
  const app = readAppModule(appModule);
  if (app.namespaces.size === 0) {
    throw new Error(`${path.relative(projectRoot, appEntry)} exports no ApiNamespace, so there is no Blocks API to deploy.`);
  }
  const construct = new BlocksBackendConstruct(scope, 'BlocksBackend', { ...options, projectRoot, appEntry, app });
  return { apiUrl: construct.apiUrl, handler: construct.handler, api: construct.api, app };
}

interface ConstructProps extends BlocksBackendOptions {
  readonly projectRoot: string;
  readonly appEntry: string;
  readonly app: AppDeclarations;
}

interface FunctionProps extends ConstructProps {
  /** The pool's key set as fetched at deploy time (a token); set with `cognito`. */
  readonly cognitoJwks?: string;
}

class BlocksBackendConstruct extends Construct {
  readonly apiUrl: string;
  readonly handler: NodejsFunction;
  readonly api: HttpApi;

  constructor(scope: Construct, id: string, constructProps: ConstructProps) {
    super(scope, id);
    // One fetch of the keys per deployment, shared by the API function and the worker.
    const props: FunctionProps = {
      ...constructProps,
      ...(constructProps.cognito && { cognitoJwks: deployTimeCognitoJwks(this, constructProps.cognito.userPoolId) }),
    };
    const removalPolicy = props.mode === 'production' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.handler = createBlocksFunction(this, 'Handler', props, {
      handler: 'handler',
      removalPolicy,
      roleDescription: 'Blocks API handler: writes its own logs and uses only the resources its Blocks provisioned.',
      // Well below the HTTP API's 30 s integration limit, so a slow call ends
      // as a Lambda timeout (logged) rather than a bare 503 from the gateway.
      timeout: Duration.seconds(10),
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

    provisionBlocks(this, props, { removalPolicy, api: this.api, handler: this.handler, allowedOrigins: origins });
  }
}


interface FunctionSpec {
  /** The export of the generated entry (lambda-entry.ts). */
  readonly handler: 'handler' | 'worker';
  readonly removalPolicy: RemovalPolicy;
  readonly roleDescription: string;
  readonly timeout: Duration;
}

/**
 * One Blocks function: its own log group and role (allowed only its own
 * logs until Blocks grant more), bundled from the generated entry. The API
 * handler and the worker are two of these over the same bundle.
 */
function createBlocksFunction(scope: Construct, id: string, props: FunctionProps, spec: FunctionSpec): NodejsFunction {
  const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH, removalPolicy: spec.removalPolicy });
  const role = new Role(scope, `${id}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: spec.roleDescription,
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
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5',
    reason: "Log streams are created at run time; the grant covers only streams of this function's own log group.",
  });
  return new NodejsFunction(scope, id, {
    entry: writeLambdaEntry(props.projectRoot, props.appEntry),
    handler: spec.handler,
    projectRoot: props.projectRoot,
    depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    // JSON in, JSON out: 512 MB gives the CPU share that keeps p99 low
    // without paying for memory the handler never touches.
    memorySize: 512,
    timeout: spec.timeout,
    role,
    logGroup,
    environment: {
      ...(props.cognito && {
        COGNITO_USER_POOL_ID: props.cognito.userPoolId,
        COGNITO_CLIENT_ID: props.cognito.clientId,
      }),
      ...(props.cognitoJwks !== undefined && { [DEPLOY_TIME_JWKS_ENV]: props.cognitoJwks }),
    },
    bundling: blocksLambdaBundling,
  });
}

/** The worker function, created for the first Block that asks (see ProvisionContext.worker). */
class LazyWorker {
  #function?: NodejsFunction;
  #timeoutSeconds = 0;

  constructor(
    private readonly construct: Construct,
    private readonly props: FunctionProps,
    private readonly removalPolicy: RemovalPolicy,
  ) {}

  get function(): NodejsFunction | undefined {
    return this.#function;
  }

  request(timeoutSeconds: number): WorkerFunction {
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 900) {
      throw new Error(`A worker timeout must be 1-900 s (Lambda's range), got ${timeoutSeconds}.`);
    }
    this.#timeoutSeconds = Math.max(this.#timeoutSeconds, timeoutSeconds);
    this.#function ??= createBlocksFunction(this.construct, 'Worker', this.props, {
      handler: 'worker',
      removalPolicy: this.removalPolicy,
      roleDescription: 'Blocks worker (queued jobs, schedules): writes its own logs and uses only the resources its Blocks provisioned.',
      timeout: Duration.seconds(timeoutSeconds),
    });
    // The longest any Block asked for, known only once all are provisioned: resolved at synthesis.
    const longest = Lazy.number({ produce: () => this.#timeoutSeconds });
    (this.#function.node.defaultChild as CfnFunction).timeout = longest;
    return { function: this.#function, timeoutSeconds: longest };
  }
}

/**
 * Hands every declared Block that has cloud resources a ProvisionContext,
 * then applies what they asked for to the API function and, when a Block
 * asked for one, the worker: one policy statement per set of actions (so a
 * role's policy grows by resources, not by statements) and one JSON
 * environment variable per binding. The worker gets the same grants and
 * bindings as the API function, since a job handler may use any Block.
 */
function provisionBlocks(
  construct: Construct,
  props: FunctionProps,
  shared: { removalPolicy: RemovalPolicy; api: HttpApi; handler: NodejsFunction; allowedOrigins: readonly string[] },
): void {
  const grants = new Map<string, { actions: readonly string[]; resources: string[] }>();
  const bindings = new Map<string, Record<string, string>>();
  const worker = new LazyWorker(construct, props, shared.removalPolicy);
  const acknowledgements: { id: string; reason: string }[] = [];
  for (const block of props.app.resources) {
    if (!isCloudBlock(block)) continue;
    const context: ProvisionContext = {
      construct,
      mode: props.mode,
      removalPolicy: shared.removalPolicy,
      api: shared.api,
      handler: shared.handler,
      allowedOrigins: shared.allowedOrigins,
      worker: (options) => worker.request(options.timeoutSeconds),
      logicalId: (prefix) => `${prefix}-${block.scope.name}-${block.id}`,
      grant(actions, resources) {
        // Resource patterns (an S3 bucket's `arn/*`) are the Block's to justify to cdk-nag; actions are always exact.
        if (actions.some((action) => action.includes('*'))) {
          throw new Error(`${block.kind} "${bindingKey(block)}" asked for a wildcard action; name each action it uses.`);
        }
        const key = [...actions].sort().join(',');
        const grant = grants.get(key) ?? { actions, resources: [] };
        grant.resources.push(...resources);
        grants.set(key, grant);
      },
      acknowledgeGrant(finding) {
        acknowledgements.push({ ...finding });
      },
      bind(binding: Binding, value) {
        const map = bindings.get(binding.env) ?? {};
        map[bindingKey(block)] = value;
        bindings.set(binding.env, map);
      },
    };
    block.provision(context);
  }
  const functions = [shared.handler, ...(worker.function ? [worker.function] : [])];
  for (const fn of functions) {
    for (const { actions, resources } of grants.values()) {
      fn.addToRolePolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: [...actions], resources }));
    }
    for (const [env, map] of bindings) fn.addEnvironment(env, Stack.of(construct).toJsonString(map));
    for (const finding of acknowledgements) Validations.of(fn.role ?? fn).acknowledge(finding);
  }
}
