import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

export interface StateTablesProps {
  prefix: string;
  removalPolicy: RemovalPolicy;
}

/** DynamoDB tables for delivery idempotency records and per-entity sync state. */
export class StateTables extends Construct {
  /** Powertools idempotency layout: partition key `id`, TTL on `expiration`. */
  readonly idempotency: Table;
  /** One item per entity (`pk` = `ORDER#<id>` …), each side written under a version guard. */
  readonly syncState: Table;
  /** Shared dispatch state: the ERP rate budget, circuit breaker and per-command ledger (TTL on `expiresAt`). */
  readonly coordination: Table;
  /** Agent read models (`pk`, `sk`): customer timelines, aliases, order owners, inventory by location. */
  readonly readModels: Table;

  constructor(scope: Construct, id: string, props: StateTablesProps) {
    super(scope, id);
    const common = {
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.removalPolicy,
      deletionProtection: props.removalPolicy === RemovalPolicy.RETAIN,
    };
    this.idempotency = new Table(this, 'Idempotency', {
      ...common,
      tableName: `${props.prefix}-idempotency`,
      partitionKey: { name: 'id', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
    });
    this.syncState = new Table(this, 'SyncState', {
      ...common,
      tableName: `${props.prefix}-sync-state`,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
    });
    this.coordination = new Table(this, 'Coordination', {
      ...common,
      tableName: `${props.prefix}-coordination`,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
    });
    this.readModels = new Table(this, 'ReadModels', {
      ...common,
      tableName: `${props.prefix}-read-models`,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
    });
  }
}
