/**
 * What createBlocksBackend deploys for a FileBucket, per preset: a private,
 * TLS-only, encrypted bucket with CORS for exactly the API's origins and a
 * multipart-abort rule; destroyed with a sandbox, retained and versioned in
 * production; a function allowed exact object actions on that bucket only.
 * Synthesised in process with bundling skipped, and checked with cdk-nag.
 */
import { fileURLToPath } from 'node:url';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { synthesizeFixture, type SynthesizedFixture } from '../../cdk/testing/synthesize-fixture.js';
import { LOCAL_DEV_ORIGINS, type BlocksMode } from '../../cdk/cors.js';
import { Scope } from '../../core/scope.js';
import { FileBucket } from './index.cdk.js';

vi.mock('blocks-kit', async () => (await import('../../testing/kit-variant.js')).kitUnder('cdk'));

const FIXTURE = fileURLToPath(new URL('./testing/cdk-fixture-app.ts', import.meta.url));

type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown; Principal?: unknown };

const fixtures: SynthesizedFixture[] = [];
const templates = new Map<BlocksMode, Template>();

async function synth(mode: BlocksMode): Promise<Template> {
  const fixture = await synthesizeFixture(FIXTURE, {
    mode,
    ...(mode === 'production' && { hosting: { appId: 'd1abc', branch: 'main' }, extraOrigins: ['https://notes.example.com'] }),
  });
  fixtures.push(fixture);
  return fixture.template;
}

beforeAll(async () => {
  templates.set('sandbox', await synth('sandbox'));
  templates.set('production', await synth('production'));
}, 120_000);

afterAll(() => Promise.all(fixtures.map((fixture) => fixture.cleanup())));

const of = (mode: BlocksMode): Template => templates.get(mode)!;
const bucketsOf = (mode: BlocksMode) => of(mode).findResources('AWS::S3::Bucket');

function roleStatements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) => (policy.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement,
  );
}

describe.each(['sandbox', 'production'] as const)('a FileBucket in a %s', (mode) => {
  it('is one private, encrypted bucket with a multipart-abort rule', () => {
    expect(Object.keys(bucketsOf(mode))).toHaveLength(1);
    of(mode).hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' })]) },
    });
  });

  it('refuses plain-HTTP access in its bucket policy', () => {
    const statements = Object.values(of(mode).findResources('AWS::S3::BucketPolicy')).flatMap(
      (policy) => (policy.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement,
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('lets the API function use exact object actions on this bucket only', () => {
    const [bucketId] = Object.keys(bucketsOf(mode));
    const s3 = roleStatements(of(mode)).filter((statement) => JSON.stringify(statement.Action).includes('s3:'));
    const handlerStatements = s3.filter((statement) => JSON.stringify(statement.Resource).includes(bucketId!));
    expect(handlerStatements.map((statement) => statement.Action)).toEqual(
      expect.arrayContaining([['s3:DeleteObject', 's3:GetObject', 's3:PutObject'].sort(), 's3:ListBucket'].map((action) => (Array.isArray(action) ? expect.arrayContaining(action) : action))),
    );
    const objects = handlerStatements.find((statement) => JSON.stringify(statement.Action).includes('s3:GetObject'))!;
    expect(objects.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] });
    const list = handlerStatements.find((statement) => statement.Action === 's3:ListBucket')!;
    expect(list.Resource).toEqual({ 'Fn::GetAtt': [bucketId, 'Arn'] });
    for (const statement of roleStatements(of(mode))) {
      expect(statement.Resource).not.toBe('*');
      if (JSON.stringify(statement.Action).includes('s3:')) expect(JSON.stringify(statement.Action)).not.toContain('*');
    }
  });

  it('binds the bucket name for the aws-runtime variant', () => {
    const [bucketId] = Object.keys(bucketsOf(mode));
    const functions = Object.values(of(mode).findResources('AWS::Lambda::Function'));
    const handler = functions.find((fn) => JSON.stringify(fn.Properties).includes('BLOCKS_FILE_BUCKETS'))!;
    const env = (handler.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
    const binding = JSON.stringify(env.BLOCKS_FILE_BUCKETS);
    expect(binding).toContain('fixture-files/attachments');
    expect(binding).toContain(`"Ref":"${bucketId}"`);
  });
});

describe('per preset', () => {
  it('a sandbox bucket allows the local dev origins and is emptied and destroyed with the sandbox', () => {
    const [bucket] = Object.values(bucketsOf('sandbox'));
    expect(bucket!.DeletionPolicy).toBe('Delete');
    const props = bucket!.Properties as Record<string, unknown>;
    expect(props.VersioningConfiguration).toBeUndefined();
    expect(props.CorsConfiguration).toEqual({
      CorsRules: [
        {
          AllowedOrigins: LOCAL_DEV_ORIGINS,
          AllowedMethods: ['GET', 'HEAD', 'POST'],
          AllowedHeaders: ['content-type', 'range'],
          ExposedHeaders: ['etag', 'content-length', 'content-range', 'content-disposition'],
          MaxAge: 3600,
        },
      ],
    });
    expect(Object.keys(of('sandbox').findResources('Custom::S3AutoDeleteObjects'))).toHaveLength(1);
  });

  it('a production bucket allows only the hosted branch and custom domains, and is retained and versioned', () => {
    const [bucket] = Object.values(bucketsOf('production'));
    expect(bucket!.DeletionPolicy).toBe('Retain');
    const props = bucket!.Properties as { VersioningConfiguration: unknown; CorsConfiguration: { CorsRules: Array<{ AllowedOrigins: string[] }> } };
    expect(props.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(props.CorsConfiguration.CorsRules.map((rule) => rule.AllowedOrigins)).toEqual([['https://main.d1abc.amplifyapp.com', 'https://notes.example.com']]);
    expect(Object.keys(of('production').findResources('Custom::S3AutoDeleteObjects'))).toHaveLength(0);
  });
});

describe('a FileBucket at synthesis', () => {
  it('refuses bad options: the deployed function checks them only on its first call', () => {
    expect(() => new FileBucket(new Scope('cdk-bad-files'), 'a', { maxBytes: 0 })).toThrow(/maxBytes must be an integer/);
    expect(() => new FileBucket(new Scope('cdk-bad-files'), 'b', { allowedContentTypes: ['png'] })).toThrow(/"png" is not a content type/);
  });
});
