import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { skipCheckov } from './checkov';
import { TABLES, type ResourceNames, type TableName } from './topology';

export interface StateTablesProps {
  names: ResourceNames;
  removalPolicy: RemovalPolicy;
}

/** The DynamoDB tables of the topology (`TABLES`): idempotency records, sync state, coordination, read models, workflows, ops audit lines. */
export class StateTables extends Construct {
  readonly byName: Record<TableName, Table>;
  readonly idempotency: Table;
  readonly syncState: Table;
  readonly coordination: Table;
  readonly readModels: Table;
  readonly workflows: Table;

  constructor(scope: Construct, id: string, props: StateTablesProps) {
    super(scope, id);
    const common = {
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.removalPolicy,
      deletionProtection: props.removalPolicy === RemovalPolicy.RETAIN,
    };
    const build = (name: TableName) => {
      const spec = TABLES[name];
      // Construct ids are the table names capitalised, as they were before the topology held them.
      const table = new Table(this, name[0]!.toUpperCase() + name.slice(1), {
        ...common,
        tableName: props.names.table(name),
        partitionKey: { name: spec.partitionKey, type: AttributeType.STRING },
        ...(spec.sortKey ? { sortKey: { name: spec.sortKey, type: AttributeType.STRING } } : {}),
        ...(spec.timeToLiveAttribute ? { timeToLiveAttribute: spec.timeToLiveAttribute } : {}),
      });
      skipCheckov(table, {
        id: 'CKV_AWS_119',
        comment: 'Encrypted at rest with the AWS managed key; a customer managed key would add cost and key administration, and IAM already bounds who reads.',
      });
      for (const index of spec.indexes ?? []) {
        table.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
          sortKey: { name: index.sortKey, type: AttributeType.STRING },
        });
      }
      return table;
    };
    this.byName = Object.fromEntries((Object.keys(TABLES) as TableName[]).map((name) => [name, build(name)])) as Record<TableName, Table>;
    ({ idempotency: this.idempotency, syncState: this.syncState, coordination: this.coordination, readModels: this.readModels, workflows: this.workflows } = this.byName);
  }
}
