/**
 * CronJob under the `cdk` condition: an EventBridge Scheduler schedule (the
 * expression and time zone as declared) whose target is the Blocks worker
 * function, with a role that may do exactly one thing: invoke that function.
 * The invocation's input names this Block and the due time, which Scheduler
 * fills in (`<aws.scheduler.scheduled-time>`).
 */
import { Stack } from 'aws-cdk-lib';
import { Effect, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type { CloudBlock, ProvisionContext } from '../../cdk/provision.js';
import { bindingKey } from '../../core/binding.js';
import type { ScheduledInvocation } from '../../core/worker-block.js';
import type { Scope } from '../../core/scope.js';
import { CRON_TIMEOUT_SECONDS, DeclaredCronJob } from './cron-job.js';
import { parseComputableSchedule } from './next-run.js';
import type { CronJobOptions } from './public.js';

export * from './public.js';

export class CronJob extends DeclaredCronJob implements CloudBlock {
  constructor(scope: Scope, id: string, options: CronJobOptions) {
    super(scope, id, options, parseComputableSchedule);
  }

  provision(context: ProvisionContext): void {
    const worker = context.worker({ timeoutSeconds: CRON_TIMEOUT_SECONDS });
    const functionArn = worker.function.functionArn;
    const role = new Role(context.construct, context.logicalId('ScheduleRole'), {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        // Only schedules of this account may use the role (confused deputy).
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(context.construct).account } },
      }),
      description: `Schedule ${bindingKey(this)}: invokes the Blocks worker function, nothing else.`,
      inlinePolicies: {
        invoke: new PolicyDocument({
          statements: [new PolicyStatement({ effect: Effect.ALLOW, actions: ['lambda:InvokeFunction'], resources: [functionArn] })],
        }),
      },
    });
    const input: ScheduledInvocation = { blocksTarget: bindingKey(this), scheduledTime: '<aws.scheduler.scheduled-time>' };
    new CfnSchedule(context.construct, context.logicalId('Schedule'), {
      description: `Blocks CronJob ${bindingKey(this)}`,
      scheduleExpression: this.schedule.expression,
      scheduleExpressionTimezone: this.timezone,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: functionArn,
        roleArn: role.roleArn,
        input: JSON.stringify(input),
        // Delivery retries only (a throttled invoke); a failed run is retried by Lambda's async invocation.
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
      },
    });
  }
}
