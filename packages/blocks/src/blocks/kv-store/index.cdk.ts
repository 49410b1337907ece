/**
 * KVStore under the `cdk` condition: a declaration that provisions its own
 * DynamoDB table in the Blocks stack, lets the API function use exactly that
 * table, and binds the table's name for the `aws-runtime` variant. It holds
 * no data, so calling it during synthesis is a mistake worth a clear message.
 */
import { Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { CloudBlock, ProvisionContext } from '../../cdk/provision.js';
import { DeclaredKVStore } from './declared-store.js';
import { KV_TABLE, KV_TABLE_BINDING } from './dynamodb-schema.js';
import type { KVStoreApi } from './types.js';

export type * from './types.js';

/** Data-plane actions the DynamoDB store uses, and nothing more. */
const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
] as const;

export class KVStore<T = unknown> extends DeclaredKVStore<T> implements CloudBlock {
  protected open(): KVStoreApi<T> {
    throw new Error(
      `KVStore "${this.scope.name}/${this.id}" has no data during CDK synthesis; call it from API methods, not at module load.`,
    );
  }

  provision(context: ProvisionContext): void {
    const production = context.mode === 'production';
    const table = new Table(context.construct, context.logicalId('Store'), {
      partitionKey: { name: KV_TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: KV_TABLE.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: KV_TABLE.ttl,
      billingMode: BillingMode.PAY_PER_REQUEST,
      removalPolicy: context.removalPolicy,
      deletionProtection: production,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: production },
    });
    if (!production) {
      Validations.of(table).acknowledge({
        id: 'AwsSolutions-DDB3',
        reason: 'Sandbox tables hold throwaway data and are destroyed with the sandbox; the production preset enables point-in-time recovery.',
      });
    }
    context.grant(TABLE_ACTIONS, [table.tableArn]);
    context.bind(KV_TABLE_BINDING, table.tableName);
  }
}
