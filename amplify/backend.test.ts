import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesize, type CfnTemplate, type Synthesized } from './testing/synthesize';

// Both presets synthesize in parallel, once per run (about 15 s each).
let sandbox: Synthesized;
let production: Synthesized;

beforeAll(async () => {
  [sandbox, production] = await Promise.all([
    synthesize({ type: 'sandbox', namespace: 'starter', name: 'dev' }),
    synthesize(
      { type: 'branch', namespace: 'd1a2b3c4d5e6f7', name: 'feature/login' },
      { BLOCKS_ALLOWED_ORIGINS: 'https://notes.example.com, https://www.notes.example.com' },
    ),
  ]);
}, 240_000);

type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Principal?: unknown };

function statements(template: CfnTemplate): Statement[] {
  return Object.values(template.Resources).flatMap((resource) => {
    const props = resource.Properties ?? {};
    const documents = [
      props.PolicyDocument,
      ...((props.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map((p) => p.PolicyDocument),
    ];
    return documents.flatMap((doc) => ((doc as { Statement?: Statement[] } | undefined)?.Statement ?? []));
  });
}

const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement): unknown[] => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

describe.each([
  ['sandbox', () => sandbox],
  ['production', () => production],
])('%s preset', (_name, get) => {
  it('nests the blocks stack and passes it the Amplify user pool ids', () => {
    const root = Template.fromJSON(get().root);
    const nested = root.findResources('AWS::CloudFormation::Stack');
    const blocksStack = Object.entries(nested).find(([id]) => id.startsWith('blocks'));
    expect(blocksStack, Object.keys(nested).join(', ')).toBeDefined();
    const parameters = JSON.stringify(blocksStack![1].Properties?.Parameters);
    expect(parameters).toMatch(/amplifyAuthUserPool[0-9A-F]+Ref/);
    expect(parameters).toMatch(/amplifyAuthUserPoolAppClient[0-9A-F]+Ref/);
  });

  it('gives the Lambda the pool ids, its table names and a small, bounded runtime', () => {
    const blocks = Template.fromJSON(get().blocks);
    const functions = Object.values(blocks.findResources('AWS::Lambda::Function'));
    const handlerOf = (f: (typeof functions)[number]): string => String((f.Properties as { Handler?: unknown }).Handler);
    const blocksFunctions = functions.filter((f) => JSON.stringify(f.Properties).includes('BLOCKS_KV_TABLES'));
    const [fn, ...others] = blocksFunctions.filter((f) => handlerOf(f).endsWith('.handler'));
    expect(others).toEqual([]);
    // The sample's export job and nightly prune run in the worker: the same bundle, the same environment.
    const [worker, ...moreWorkers] = blocksFunctions.filter((f) => handlerOf(f).endsWith('.worker'));
    expect(moreWorkers).toEqual([]);
    const variables = (f: (typeof functions)[number]) => Object.keys((f.Properties as { Environment: { Variables: object } }).Environment.Variables).sort();
    expect(variables(worker!)).toEqual(variables(fn!));
    // Besides those, only CDK's providers: one reads the pool's keys at deploy time, one empties a sandbox's FileBucket on teardown.
    for (const other of functions.filter((f) => f !== fn && f !== worker)) {
      expect(JSON.stringify((other.Properties as { Description?: unknown }).Description)).toMatch(/auto-deleting objects in|Cognito user pool signing keys/);
    }
    const props = fn!.Properties as Record<string, unknown>;
    expect(props.Runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
    expect(props.Architectures).toEqual(['arm64']);
    expect(props.MemorySize).toBe(512);
    expect(props.Timeout).toBeLessThan(30); // the HTTP API integration limit
    const env = (props.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.stringify(env.COGNITO_USER_POOL_ID)).toMatch(/amplifyAuthUserPool[0-9A-F]+Ref/);
    expect(JSON.stringify(env.COGNITO_CLIENT_ID)).toMatch(/amplifyAuthUserPoolAppClient[0-9A-F]+Ref/);
    // The pool's key set, read at deploy time by a custom resource keyed by the same pool id.
    const keySets = Object.entries(blocks.findResources('Custom::BlocksCognitoJwks'));
    expect(keySets).toHaveLength(1);
    expect(env.COGNITO_JWKS).toEqual({ 'Fn::GetAtt': [keySets[0]![0], 'Jwks'] });
    expect(keySets[0]![1].Properties?.UserPoolId).toEqual(env.COGNITO_USER_POOL_ID);
    expect(JSON.stringify(env.BLOCKS_KV_TABLES)).toContain('notes-app/notes');
    expect(JSON.stringify(env.BLOCKS_FILE_BUCKETS)).toContain('notes-app/attachments');
    blocks.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('creates one on-demand table per KVStore, keyed for per-user queries, with TTL', () => {
    const blocks = Template.fromJSON(get().blocks);
    // notes, the sample webhook's events, export requests, and the export job's dedupe keys.
    blocks.resourceCountIs('AWS::DynamoDB::Table', 4);
    blocks.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
  });

  it('scopes data access to the tables: no wildcard resources, no wildcard actions', () => {
    const blocks = get().blocks;
    const all = statements(blocks);
    expect(all.length).toBeGreaterThan(0);
    for (const statement of all) {
      if (statement.Effect === 'Deny') {
        // The only denials: the buckets and the export job's queues refuse every request not made over TLS.
        expect(statement, JSON.stringify(statement)).toMatchObject({ Action: expect.stringMatching(/^(s3|sqs):\*$/), Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
        continue;
      }
      if (JSON.stringify(statement.Principal ?? '').includes('CustomS3AutoDeleteObjectsCustomResourceProviderRole')) {
        // CDK's own grant, in a bucket's policy, to empty a sandbox bucket on teardown: that bucket only.
        expect(resourcesOf(statement).every((r) => /BlocksBackendFilesnotesapp(attachments|exports)/.test(JSON.stringify(r)))).toBe(true);
        continue;
      }
      expect(actionsOf(statement).some((a) => a.includes('*')), JSON.stringify(statement)).toBe(false);
      expect(resourcesOf(statement), JSON.stringify(statement)).not.toContain('*');
    }
    const files = all.filter((s) => s.Effect !== 'Deny' && actionsOf(s).some((a) => a.startsWith('s3:')));
    const bucketIds = Object.keys(Template.fromJSON(blocks).findResources('AWS::S3::Bucket'));
    expect(bucketIds).toHaveLength(2);
    // The functions' own grants (the sandbox's emptying provider has its own, on the same buckets).
    const handlerFiles = files.filter((s) => actionsOf(s).some((a) => a === 's3:GetObject' || a === 's3:ListBucket') && !actionsOf(s).includes('s3:GetBucket*'));
    expect(handlerFiles.flatMap(resourcesOf).every((r) => bucketIds.some((id) => JSON.stringify(r).includes(id)))).toBe(true);
    const data = all.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    // Each Block's grants are their own statements: the table grant names DynamoDB actions only.
    // One statement per Blocks function (the API's and the worker's), the same on both.
    expect(data).toHaveLength(2);
    expect(data[1]).toEqual(data[0]);
    expect(actionsOf(data[0]!).every((a) => a.startsWith('dynamodb:'))).toBe(true);
    const tableIds = Object.keys(Template.fromJSON(blocks).findResources('AWS::DynamoDB::Table'));
    expect(resourcesOf(data[0]!)).toEqual(tableIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })));
  });

  it('lets the function read its webhook secret, a per-deployment SSM parameter, and nothing else of SSM', () => {
    const blocks = get().blocks;
    const [fn] = Object.values(Template.fromJSON(blocks).findResources('AWS::Lambda::Function'));
    const env = (fn!.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
    const names = JSON.parse(String(env.BLOCKS_APP_SETTINGS)) as Record<string, string>;
    expect(Object.keys(names)).toEqual(['notes-app/webhook-secret']);
    expect(names['notes-app/webhook-secret']).toMatch(/^\/aws-blocks\/amplify-[\w-]+\/notes-app\/webhook-secret$/);
    const ssm = statements(blocks).filter((s) => actionsOf(s).some((a) => /^(ssm|kms):/.test(a)));
    // One per Blocks function (the API's and the worker's), the same on both.
    expect(ssm).toHaveLength(2);
    expect(ssm[1]).toEqual(ssm[0]);
    expect(actionsOf(ssm[0]!)).toEqual(['ssm:GetParameter']);
    expect(JSON.stringify(resourcesOf(ssm[0]!))).toBe(JSON.stringify([{
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:parameter${names['notes-app/webhook-secret']}`]],
    }]));
    // A secret is put by hand as a SecureString: the template creates no parameter and holds no value.
    Template.fromJSON(blocks).resourceCountIs('AWS::SSM::Parameter', 0);
  });

  it('routes POST /aws-blocks/api and the sample webhook, throttles, and writes access logs', () => {
    const blocks = Template.fromJSON(get().blocks);
    blocks.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /aws-blocks/api' });
    blocks.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /aws-blocks/raw/webhooks/notes' });
    blocks.resourceCountIs('AWS::ApiGatewayV2::Route', 2);
    blocks.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('publishes custom.blocks_api_url in the Amplify outputs', () => {
    const { root } = get();
    expect((root.Metadata?.['AWS::Amplify::Custom'] as { stackOutputs: string[] }).stackOutputs).toContain('customOutputs');
    const custom = JSON.stringify(root.Outputs?.customOutputs?.Value);
    expect(custom).toContain('blocks_api_url');
    expect(custom).toContain('/aws-blocks/api');
  });

  it('passes cdk-nag AWS Solutions checks with every exception acknowledged', async () => {
    expect(get().log).not.toMatch(/^(ERROR|WARNING) /m);
    const report = JSON.parse(await readFile(path.join(get().outDir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { summary?: { status?: string } }[];
    };
    for (const plugin of report.pluginReports) expect(plugin.summary?.status).not.toBe('failure');
  });
});

function corsOrigins(template: CfnTemplate): string[] {
  const [api] = Object.values(Template.fromJSON(template).findResources('AWS::ApiGatewayV2::Api'));
  return (api!.Properties as { CorsConfiguration: { AllowOrigins: string[] } }).CorsConfiguration.AllowOrigins;
}

describe('presets differ where they should', () => {
  it('each deployment has its own setting parameters', () => {
    const settings = (template: CfnTemplate): string => {
      const [fn] = Object.values(Template.fromJSON(template).findResources('AWS::Lambda::Function'));
      return String((fn!.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables.BLOCKS_APP_SETTINGS);
    };
    expect(settings(sandbox.blocks)).not.toBe(settings(production.blocks));
  });

  it('sandbox: tables are deleted with the stack; CORS allows local dev origins only', () => {
    const blocks = Template.fromJSON(sandbox.blocks);
    blocks.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    blocks.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
    expect(corsOrigins(sandbox.blocks)).toEqual([
      'http://localhost:5173',
      'http://127.0.0.1:5173',
      'http://localhost:4173',
      'http://127.0.0.1:4173',
    ]);
  });

  it('production: tables are retained, protected and recoverable; CORS allows the hosted branch and custom domains', () => {
    const blocks = Template.fromJSON(production.blocks);
    blocks.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    blocks.hasResourceProperties('AWS::DynamoDB::Table', {
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    expect(corsOrigins(production.blocks)).toEqual([
      'https://feature-login.d1a2b3c4d5e6f7.amplifyapp.com',
      'https://notes.example.com',
      'https://www.notes.example.com',
    ]);
  });

  it('never allows every origin, and always allows credentials only for listed ones', () => {
    for (const template of [sandbox.blocks, production.blocks]) {
      const [api] = Object.values(Template.fromJSON(template).findResources('AWS::ApiGatewayV2::Api'));
      const cors = (api!.Properties as { CorsConfiguration: { AllowOrigins: string[]; AllowCredentials: boolean } })
        .CorsConfiguration;
      expect(cors.AllowOrigins).not.toContain('*');
      expect(cors.AllowCredentials).toBe(true);
    }
  });
});
