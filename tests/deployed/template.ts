/**
 * Reads the synthesized cloud assembly the way CloudFormation and IAM would
 * act on it, so the deployed-artifact test runs what the template describes
 * rather than what we believe the kit sets: the Lambda's asset, handler and
 * environment, its tables, and the role policy that decides which DynamoDB
 * calls succeed. Intrinsics are resolved to concrete values chosen here
 * (fake but well-formed ids); anything this resolver does not understand
 * throws, so a new kind of reference fails loudly instead of passing as a
 * placeholder.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { CfnTemplate, Synthesized } from '../../amplify/testing/synthesize';

export interface FakeAccount {
  readonly region: string;
  readonly accountId: string;
  /** Physical id of every `AWS::Cognito::UserPool` (must start with `<region>_`). */
  readonly userPoolId: string;
}

/**
 * What the deploy-time Cognito key set (the `Jwks` attribute of the kit's
 * `Custom::BlocksCognitoJwks` resource) resolves to in `environment`: a
 * marker the harness replaces with the key set of the run's token fixture
 * (harness.ts), since the keys are minted after the template is read.
 */
export const DEPLOY_TIME_JWKS = '<deploy-time Cognito JWKS>';

export const DEFAULT_ACCOUNT: FakeAccount = {
  region: 'us-east-1',
  accountId: '123456789012',
  userPoolId: 'us-east-1_Test12345',
};

type Resource = CfnTemplate['Resources'][string];

/** One template of the assembly, with the parameters its parent stack passes in. */
interface StackNode {
  readonly name: string;
  readonly template: CfnTemplate;
  /** Resolves `{ Ref: <parameter> }` in this stack, via the parent's `Parameters`. */
  readonly parameter: (name: string) => string;
}

export interface KeyElement {
  readonly AttributeName: string;
  readonly KeyType: 'HASH' | 'RANGE';
}

export interface AttributeDefinition {
  readonly AttributeName: string;
  readonly AttributeType: 'S' | 'N' | 'B';
}

export interface TableDefinition {
  readonly logicalId: string;
  /** The physical name chosen for this run (what `Ref` resolves to). */
  readonly name: string;
  readonly arn: string;
  readonly keySchema: readonly KeyElement[];
  readonly attributeDefinitions: readonly AttributeDefinition[];
}

export interface PolicyStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  /** Resolved ARNs or patterns (`*`, `?`). */
  readonly resources: readonly string[];
}

/** The one Lambda function of the `blocks` stack, as CloudFormation would create it. */
export interface DeployedFunction {
  readonly logicalId: string;
  /** The folder CDK zips and uploads as the function's code. */
  readonly assetDir: string;
  /** The template's `Handler`, e.g. `index.handler`. */
  readonly handler: string;
  readonly runtime: string;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  /** `Environment.Variables` with every reference resolved. */
  readonly environment: Readonly<Record<string, string>>;
  /** Every `AWS::DynamoDB::Table` of the stack. */
  readonly tables: readonly TableDefinition[];
  /** Statements of every policy attached to the function's role. */
  readonly policy: readonly PolicyStatement[];
  readonly account: FakeAccount;
  /** The Cognito app client ids the function's environment resolved to (the ID token `aud`). */
  readonly clientIds: readonly string[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const asArray = <T>(value: T | readonly T[] | undefined): readonly T[] =>
  value === undefined ? [] : Array.isArray(value) ? (value as readonly T[]) : [value as T];

/** Cognito app client ids are 26 lowercase alphanumerics; derive a stable one per logical id. */
function fakeClientId(logicalId: string): string {
  return createHash('sha256').update(logicalId).digest('hex').slice(0, 26);
}

class Resolver {
  readonly #account: FakeAccount;
  readonly #files: readonly string[];
  readonly #outDir: string;
  readonly #templates = new Map<string, CfnTemplate>();
  /** App client ids handed out while resolving, so tokens can be minted for them. */
  readonly clientIds = new Set<string>();

  constructor(outDir: string, files: readonly string[], account: FakeAccount) {
    this.#outDir = outDir;
    this.#files = files;
    this.#account = account;
  }

  async load(file: string): Promise<CfnTemplate> {
    let template = this.#templates.get(file);
    if (!template) {
      template = JSON.parse(await readFile(path.join(this.#outDir, file), 'utf8')) as CfnTemplate;
      this.#templates.set(file, template);
    }
    return template;
  }

  loaded(file: string): CfnTemplate {
    const template = this.#templates.get(file);
    if (!template) throw new Error(`template ${file} not loaded`);
    return template;
  }

  /** What `Ref` returns for a resource: CloudFormation's physical id, faked per type. */
  physicalId(stack: StackNode, logicalId: string, resource: Resource): string {
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
        return `${stack.name}-${logicalId}-ARTIFACT`.slice(-255);
      case 'AWS::Cognito::UserPool':
        return this.#account.userPoolId;
      case 'AWS::Cognito::UserPoolClient': {
        const id = fakeClientId(logicalId);
        this.clientIds.add(id);
        return id;
      }
      case 'AWS::Logs::LogGroup':
        return `/aws/test/${logicalId}`;
      case 'AWS::SecretsManager::Secret':
        return `${this.arnPrefix('secretsmanager')}secret:${logicalId}-AbCdEf`;
      case 'AWS::S3::Bucket':
        // Bucket names are lower case, at most 63 characters.
        return `${logicalId}-artifact`.toLowerCase().slice(-63);
      case 'AWS::SQS::Queue':
        // Ref of a queue is its URL.
        return `https://sqs.${this.#account.region}.amazonaws.com/${this.#account.accountId}/${this.queueName(logicalId)}`;
      default:
        return `${logicalId}-ARTIFACT`;
    }
  }

  queueName(logicalId: string): string {
    return `${logicalId}-ARTIFACT`.slice(-80);
  }

  arnPrefix(service: string): string {
    return `arn:aws:${service}:${this.#account.region}:${this.#account.accountId}:`;
  }

  getAtt(stack: StackNode, logicalId: string, attribute: string): string {
    const resource = stack.template.Resources[logicalId];
    if (!resource) throw new Error(`Fn::GetAtt: no resource ${logicalId} in ${stack.name}`);
    const id = this.physicalId(stack, logicalId, resource);
    const key = `${resource.Type}.${attribute}`;
    switch (key) {
      case 'AWS::DynamoDB::Table.Arn':
        return `${this.arnPrefix('dynamodb')}table/${id}`;
      case 'AWS::Logs::LogGroup.Arn':
        return `${this.arnPrefix('logs')}log-group:${id}:*`;
      case 'AWS::IAM::Role.Arn':
        return `arn:aws:iam::${this.#account.accountId}:role/${id}`;
      case 'AWS::S3::Bucket.Arn':
        return `arn:aws:s3:::${id}`;
      case 'AWS::Lambda::Function.Arn':
        return `${this.arnPrefix('lambda')}function:${id}`;
      case 'AWS::SQS::Queue.Arn':
        return `${this.arnPrefix('sqs')}${this.queueName(logicalId)}`;
      case 'AWS::SQS::Queue.QueueName':
        return this.queueName(logicalId);
      case 'Custom::BlocksCognitoJwks.Jwks':
        return DEPLOY_TIME_JWKS;
      default:
        throw new Error(`Fn::GetAtt ${key} is not resolvable by the deployed-artifact harness`);
    }
  }

  /** Resolves a template value to a string, as CloudFormation would at deploy time. */
  value(stack: StackNode, value: unknown): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (!isRecord(value)) throw new Error(`cannot resolve ${JSON.stringify(value)}`);
    const [fn, args] = Object.entries(value)[0] ?? [];
    if (Object.keys(value).length !== 1 || fn === undefined) throw new Error(`not an intrinsic: ${JSON.stringify(value)}`);
    switch (fn) {
      case 'Ref':
        return this.ref(stack, String(args));
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = typeof args === 'string' ? args.split(/\.(.*)/s) : (args as string[]);
        if (!logicalId || !attribute) throw new Error(`Fn::GetAtt ${JSON.stringify(args)}`);
        if (attribute.startsWith('Outputs.')) return this.nestedOutput(stack, logicalId, attribute.slice('Outputs.'.length));
        return this.getAtt(stack, logicalId, attribute);
      }
      case 'Fn::Join': {
        const [separator, parts] = args as [string, unknown[]];
        return parts.map((part) => this.value(stack, part)).join(separator);
      }
      case 'Fn::Sub': {
        const [text, vars = {}] = typeof args === 'string' ? [args, {}] : (args as [string, Record<string, unknown>]);
        return text.replace(/\$\{([^}!][^}]*)\}/g, (_match, name: string) =>
          name in vars ? this.value(stack, vars[name]) : name.includes('.') ? this.value(stack, { 'Fn::GetAtt': name }) : this.ref(stack, name),
        );
      }
      default:
        throw new Error(`${fn} is not resolvable by the deployed-artifact harness: ${JSON.stringify(value)}`);
    }
  }

  ref(stack: StackNode, name: string): string {
    switch (name) {
      case 'AWS::Region':
        return this.#account.region;
      case 'AWS::AccountId':
        return this.#account.accountId;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return stack.name;
    }
    const resource = stack.template.Resources[name];
    if (resource) return this.physicalId(stack, name, resource);
    if (stack.template.Parameters && name in stack.template.Parameters) return stack.parameter(name);
    throw new Error(`Ref ${name}: neither a resource nor a parameter of ${stack.name}`);
  }

  /** `Fn::GetAtt [<nested stack>, Outputs.X]`: the nested template's output X, resolved in that stack. */
  nestedOutput(stack: StackNode, stackLogicalId: string, output: string): string {
    const child = this.child(stack, stackLogicalId);
    const value = child.template.Outputs?.[output]?.Value;
    if (value === undefined) throw new Error(`${child.name} has no output ${output}`);
    return this.value(child, value);
  }

  /** The nested stack behind an `AWS::CloudFormation::Stack` resource, found by its TemplateURL's asset key. */
  child(parent: StackNode, logicalId: string): StackNode {
    const resource = parent.template.Resources[logicalId];
    if (resource?.Type !== 'AWS::CloudFormation::Stack') throw new Error(`${logicalId} is not a nested stack of ${parent.name}`);
    const url = JSON.stringify(resource.Properties?.TemplateURL);
    const file = this.#files.find((f) => f.endsWith('.nested.template.json') && this.#assetKeys.get(f) && url.includes(this.#assetKeys.get(f)!));
    if (!file) throw new Error(`no template file for nested stack ${logicalId}`);
    const parameters = (resource.Properties?.Parameters ?? {}) as Record<string, unknown>;
    return {
      name: `${parent.name}-${logicalId}`,
      template: this.loaded(file),
      parameter: (name) => {
        if (!(name in parameters)) throw new Error(`${parent.name} passes no parameter ${name} to ${logicalId}`);
        return this.value(parent, parameters[name]);
      },
    };
  }

  /** Template file → the S3 object key (hash) its parent's TemplateURL names. */
  readonly #assetKeys = new Map<string, string>();

  async loadAssets(): Promise<Map<string, string>> {
    const sources = new Map<string, string>();
    for (const file of this.#files.filter((f) => f.endsWith('.assets.json'))) {
      const manifest = JSON.parse(await readFile(path.join(this.#outDir, file), 'utf8')) as {
        files: Record<string, { source: { path: string }; destinations: Record<string, { objectKey: string }> }>;
      };
      for (const [hash, asset] of Object.entries(manifest.files)) {
        this.#assetKeys.set(asset.source.path, hash);
        for (const destination of Object.values(asset.destinations)) sources.set(destination.objectKey, asset.source.path);
      }
    }
    return sources;
  }
}

/** Statements of the role's inline policies and of every policy resource attached to it. */
function roleStatements(template: CfnTemplate, roleId: string): unknown[] {
  const documents: unknown[] = [];
  const role = template.Resources[roleId];
  for (const policy of asArray(role?.Properties?.Policies as { PolicyDocument: unknown }[] | undefined)) {
    documents.push(policy.PolicyDocument);
  }
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const roles = asArray(resource.Properties?.Roles as unknown[] | undefined);
    if (roles.some((r) => isRecord(r) && r.Ref === roleId)) documents.push(resource.Properties?.PolicyDocument);
  }
  if (asArray(role?.Properties?.ManagedPolicyArns as unknown[] | undefined).length > 0) {
    // A managed policy's content is not in the template; refuse rather than guess.
    throw new Error(`role ${roleId} has managed policies the harness cannot evaluate`);
  }
  return documents.flatMap((doc) => asArray((doc as { Statement?: unknown[] } | undefined)?.Statement));
}

export interface LoadOptions {
  readonly account?: FakeAccount;
  /**
   * Which export of the generated entry the function runs: `handler` (the
   * API, the default) or `worker` (queued jobs and schedules, present when
   * the app declares background Blocks).
   */
  readonly handlerExport?: 'handler' | 'worker';
}

/**
 * The `blocks` stack's Lambda, its tables and its role policy, resolved from
 * the synthesized assembly in `synth.outDir`.
 */
export async function loadDeployedFunction(synth: Pick<Synthesized, 'outDir'>, options: LoadOptions = {}): Promise<DeployedFunction> {
  const account = options.account ?? DEFAULT_ACCOUNT;
  const files = await readdir(synth.outDir);
  const resolver = new Resolver(synth.outDir, files, account);
  const assetsByKey = await resolver.loadAssets();
  const rootFile = files.find((f) => f.endsWith('.template.json') && !f.includes('.nested.'));
  if (!rootFile) throw new Error(`no root template in ${synth.outDir}`);
  for (const file of files.filter((f) => f.endsWith('.template.json'))) await resolver.load(file);
  const root: StackNode = {
    name: rootFile.replace(/\.template\.json$/, ''),
    template: resolver.loaded(rootFile),
    parameter: (name) => {
      throw new Error(`the root stack has no parent to pass parameter ${name}`);
    },
  };
  const blocksId = Object.entries(root.template.Resources).find(
    ([id, r]) => r.Type === 'AWS::CloudFormation::Stack' && id.startsWith('blocks'),
  )?.[0];
  // Amplify nests the Blocks in a `blocks` stack; a fixture app synthesized by createBlocksBackend alone has them at the root.
  const stack = blocksId === undefined ? root : resolver.child(root, blocksId);
  const handlerExport = options.handlerExport ?? 'handler';

  // Custom-resource providers (a sandbox FileBucket's emptying on teardown, the deploy-time key reader) are not the API;
  // CDK's CustomResourceProvider runs them through its `__entrypoint__` wrapper.
  const functions = Object.entries(stack.template.Resources).filter(
    ([id, r]) =>
      r.Type === 'AWS::Lambda::Function' &&
      !id.startsWith('CustomS3AutoDeleteObjectsCustomResourceProvider') &&
      !String(r.Properties?.Handler ?? '').startsWith('__entrypoint__.') &&
      String(r.Properties?.Handler ?? '').endsWith(`.${handlerExport}`),
  );
  if (functions.length !== 1) throw new Error(`expected one Lambda function running "${handlerExport}" in the blocks stack, found ${functions.length}`);
  const [logicalId, fn] = functions[0]!;
  const props = fn.Properties ?? {};

  const code = props.Code as { S3Key?: unknown } | undefined;
  const objectKey = code?.S3Key === undefined ? undefined : resolver.value(stack, code.S3Key);
  const assetPath = objectKey === undefined ? undefined : assetsByKey.get(objectKey);
  if (!assetPath) throw new Error(`no asset for the function's code ${JSON.stringify(props.Code)}`);

  const variables = ((props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
  const environment = Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, resolver.value(stack, value)]));

  const tables = Object.entries(stack.template.Resources)
    .filter(([, r]) => r.Type === 'AWS::DynamoDB::Table')
    .map(([id, r]): TableDefinition => ({
      logicalId: id,
      name: resolver.ref(stack, id),
      arn: resolver.getAtt(stack, id, 'Arn'),
      keySchema: r.Properties?.KeySchema as KeyElement[],
      attributeDefinitions: r.Properties?.AttributeDefinitions as AttributeDefinition[],
    }));

  const role = props.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
  const roleId = role?.['Fn::GetAtt']?.[0];
  if (!roleId) throw new Error(`the function's Role is not a role of this stack: ${JSON.stringify(props.Role)}`);
  const policy = roleStatements(stack.template, roleId).map((raw): PolicyStatement => {
    const s = raw as { Effect: 'Allow' | 'Deny'; Action?: unknown; Resource?: unknown; NotAction?: unknown; NotResource?: unknown };
    // NotAction/NotResource would invert matching; none are expected, so refuse rather than mis-evaluate.
    if (s.NotAction !== undefined || s.NotResource !== undefined) throw new Error(`unsupported statement ${JSON.stringify(s)}`);
    return {
      effect: s.Effect,
      actions: asArray(s.Action as string | string[]),
      resources: asArray(s.Resource).map((r) => {
        try {
          return resolver.value(stack, r);
        } catch {
          // Unresolvable resources (other services) become a name no real ARN equals.
          return `unresolved:${JSON.stringify(r)}`;
        }
      }),
    };
  });

  return {
    logicalId,
    assetDir: path.join(synth.outDir, assetPath),
    handler: String(props.Handler),
    runtime: String(props.Runtime),
    memorySize: Number(props.MemorySize ?? 128),
    timeoutSeconds: Number(props.Timeout ?? 3),
    environment,
    tables,
    policy,
    account,
    clientIds: [...resolver.clientIds],
  };
}

/** IAM's wildcard match: `*` any run of characters, `?` one; actions compare case-insensitively. */
function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

/** Whether the policy allows `action` on `resource`: some Allow matches and no Deny does. */
export function isAllowed(policy: readonly PolicyStatement[], action: string, resource: string): boolean {
  const matches = (s: PolicyStatement): boolean =>
    s.actions.some((a) => wildcardMatch(a, action, true)) && s.resources.some((r) => wildcardMatch(r, resource, false));
  return policy.some((s) => s.effect === 'Allow' && matches(s)) && !policy.some((s) => s.effect === 'Deny' && matches(s));
}
