/**
 * What createBlocksBackend deploys for AsyncJob and CronJob: per job an
 * SSL-only, SQS-encrypted queue with a dead-letter queue (redrive after
 * retries + 1 receives), the worker function subscribed with partial batch
 * responses and the job's concurrency; per schedule an EventBridge
 * Scheduler schedule in its time zone whose role may only invoke the
 * worker. Sending is granted on exactly each queue. Synthesised in process
 * with bundling skipped, and checked with cdk-nag.
 */
import { fileURLToPath } from 'node:url';
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { synthesizeFixture, type SynthesizedFixture } from '../../cdk/testing/synthesize-fixture.js';
import { Scope } from '../../core/scope.js';
import { CronJob } from '../cron-job/index.cdk.js';

vi.mock('blocks-kit', async () => (await import('../../testing/kit-variant.js')).kitUnder('cdk'));

const FIXTURE = fileURLToPath(new URL('./testing/cdk-fixture-app.ts', import.meta.url));

let fixture: SynthesizedFixture;
let template: Template;

beforeAll(async () => {
  fixture = await synthesizeFixture(FIXTURE, { mode: 'sandbox' });
  ({ template } = fixture);
}, 60_000);

afterAll(() => fixture.cleanup());

type Resource = { Type: string; Properties: Record<string, unknown> };
const resources = (): Record<string, Resource> => template.toJSON().Resources as Record<string, Resource>;
const ofType = (type: string): [string, Resource][] => Object.entries(resources()).filter(([, resource]) => resource.Type === type);
/** The queue's logical id (ids derive from `<prefix>-<scope>-<id>`, context.logicalId). */
const logicalIdOf = (prefix: string, id: string): string => {
  const found = ofType('AWS::SQS::Queue')
    .map(([key]) => key)
    .find((key) => key.startsWith(`BlocksBackend${prefix}fixturejobs${id}`));
  if (found === undefined) throw new Error(`no ${prefix} for ${id}`);
  return found;
};
const functionId = (handler: 'handler' | 'worker'): string => {
  const found = ofType('AWS::Lambda::Function').find(([, fn]) => String(fn.Properties.Handler).endsWith(`.${handler}`));
  if (found === undefined) throw new Error(`no function with handler ${handler}`);
  return found[0];
};
const roleOf = (fnId: string): string => (resources()[fnId]!.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

describe('createBlocksBackend with AsyncJob and CronJob', () => {
  it('creates one worker function beside the API handler, from the same bundle, with the longest timeout asked for', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions).toHaveLength(2);
    const worker = resources()[functionId('worker')]!.Properties;
    const handler = resources()[functionId('handler')]!.Properties;
    // The CronJob asks for 300 s, the exports job 120 s.
    expect(worker.Timeout).toBe(300);
    expect(handler.Timeout).toBe(10);
    expect(roleOf(functionId('worker'))).not.toBe(roleOf(functionId('handler')));
    // Same bindings on both functions: a job handler may use any Block.
    const env = (props: Record<string, unknown>) => Object.keys((props.Environment as { Variables: Record<string, unknown> }).Variables).sort();
    expect(env(worker)).toEqual(env(handler));
    expect(env(worker)).toEqual(expect.arrayContaining(['BLOCKS_JOB_QUEUE_URLS', 'BLOCKS_JOB_QUEUE_ARNS', 'BLOCKS_KV_TABLES']));
  });

  it('gives each job an encrypted, SSL-only queue and dead-letter queue, redriven after retries + 1 receives', () => {
    for (const [id, maxReceiveCount] of [['exports', 5], ['thumbs', 4]] as const) {
      const queue = resources()[logicalIdOf('JobQueue', id)]!.Properties;
      const dlq = logicalIdOf('JobDeadLetters', id);
      expect(queue.SqsManagedSseEnabled).toBe(true);
      expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount });
      // At least the worker's timeout, which Lambda requires of an event source queue.
      expect(queue.VisibilityTimeout).toBe(300);
      expect(resources()[dlq]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    }
    const sslOnly = ofType('AWS::SQS::QueuePolicy').map(([, policy]) => JSON.stringify(policy.Properties));
    expect(sslOnly).toHaveLength(4);
    for (const policy of sslOnly) expect(policy).toContain('"aws:SecureTransport":"false"');
  });

  it('subscribes the worker to each queue, one record at a time, with partial batch responses and the job concurrency', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, mapping]) => mapping.Properties);
    expect(mappings).toHaveLength(2);
    for (const mapping of mappings) {
      expect(mapping.FunctionName).toEqual({ Ref: functionId('worker') });
      expect(mapping.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(mapping.BatchSize).toBe(1);
    }
    const concurrency = mappings.map((mapping) => [(mapping.EventSourceArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0], (mapping.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency]);
    expect(concurrency.sort()).toEqual([[logicalIdOf('JobQueue', 'exports'), 5], [logicalIdOf('JobQueue', 'thumbs'), 2]].sort());
  });

  it('lets the functions send to exactly the job queues, and only the worker consume them', () => {
    const send = fixture.statements().filter((statement) => ([] as string[]).concat(statement.Action).includes('sqs:SendMessage'));
    expect(send.length).toBeGreaterThan(0);
    for (const statement of send) {
      expect(statement.Action).toBe('sqs:SendMessage');
      expect(([] as unknown[]).concat(statement.Resource)).toEqual([
        { 'Fn::GetAtt': [logicalIdOf('JobQueue', 'exports'), 'Arn'] },
        { 'Fn::GetAtt': [logicalIdOf('JobQueue', 'thumbs'), 'Arn'] },
      ]);
    }
    const policies = ofType('AWS::IAM::Policy');
    const consume = policies.filter(([, policy]) => JSON.stringify(policy.Properties).includes('sqs:ReceiveMessage'));
    expect(consume).toHaveLength(1);
    expect((consume[0]![1].Properties.Roles as { Ref: string }[]).map((role) => role.Ref)).toEqual([roleOf(functionId('worker'))]);
    // (The queues' SSL-only policies deny `sqs:*`; no Allow has a wildcard.)
    for (const statement of fixture.statements().filter((candidate) => candidate.Effect === 'Allow')) {
      for (const action of ([] as string[]).concat(statement.Action)) expect(action).not.toContain('*');
    }
  });

  it('creates the schedule in its time zone, targeting the worker with an input naming the CronJob, through a role that may only invoke it', () => {
    const [schedule, ...others] = ofType('AWS::Scheduler::Schedule').map(([, resource]) => resource.Properties);
    expect(others).toEqual([]);
    expect(schedule).toMatchObject({ ScheduleExpression: 'cron(0 3 * * ? *)', ScheduleExpressionTimezone: 'Europe/Paris', State: 'ENABLED' });
    const target = schedule!.Target as { Arn: unknown; RoleArn: { 'Fn::GetAtt': [string, string] }; Input: string };
    expect(target.Arn).toEqual({ 'Fn::GetAtt': [functionId('worker'), 'Arn'] });
    expect(JSON.parse(target.Input)).toEqual({ blocksTarget: 'fixture-jobs/prune', scheduledTime: '<aws.scheduler.scheduled-time>' });
    const role = resources()[target.RoleArn['Fn::GetAtt'][0]]!.Properties;
    expect(JSON.stringify(role.AssumeRolePolicyDocument)).toContain('scheduler.amazonaws.com');
    expect(JSON.stringify(role.AssumeRolePolicyDocument)).toContain('aws:SourceAccount');
    const statements = (role.Policies as { PolicyDocument: { Statement: unknown[] } }[]).flatMap((policy) => policy.PolicyDocument.Statement);
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [functionId('worker'), 'Arn'] } }]);
  });

  it('refuses a bad schedule or time zone at synthesis: the deployed function never parses them', () => {
    const handler = async (): Promise<void> => undefined;
    expect(() => new CronJob(new Scope('cdk-bad-cron'), 'a', { schedule: 'cron(0 3 * * * *)', handler })).toThrow(/use \? in one/);
    expect(() => new CronJob(new Scope('cdk-bad-cron'), 'b', { schedule: 'rate(1 day)', timezone: 'Nowhere/Land', handler })).toThrow(/Invalid timezone/);
  });

  it('provisions a dedupe table per job', () => {
    expect(ofType('AWS::DynamoDB::Table').map(([id]) => id).sort()).toEqual([
      expect.stringContaining('Storefixturejobsexportsdedupe'),
      expect.stringContaining('Storefixturejobsthumbsdedupe'),
    ]);
  });
});
