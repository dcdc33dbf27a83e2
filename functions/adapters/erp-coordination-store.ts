import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  admit,
  closedBreaker,
  recordFailure,
  recordSuccess,
  type BreakerConfig,
  type BreakerState,
} from '../core/erp/circuit-breaker';
import { initialRateBudget, onRateLimited, takeToken, type RateBudgetConfig, type RateBudgetState } from '../core/erp/rate-budget';
import { TransientError } from '../core/errors';
import type { CommandLedger, CommandRecord, ErpCoordination } from '../core/erp-port';

/** Command records outlive SQS retention (14 days) so a late redelivery is still recognised. */
const COMMAND_RETENTION_SECONDS = 15 * 24 * 3600;
const MAX_CONFLICTS = 20;

export interface CoordinationOptions {
  tableName: string;
  /** Which ERP (or tenant) this budget and breaker belong to. */
  name: string;
  rateBudget: RateBudgetConfig;
  breaker: BreakerConfig;
  now?: () => number;
}

/**
 * The rate budget and circuit breaker shared by every dispatcher instance, each one DynamoDB item
 * changed under optimistic concurrency (a `revision` condition), so concurrent instances never both
 * spend the last token or both probe a half-open ERP.
 */
export const makeDynamoDbErpCoordination = (client: DynamoDBClient, options: CoordinationOptions): ErpCoordination => {
  const documents = DynamoDBDocumentClient.from(client);
  const now = options.now ?? Date.now;

  const mutate = async <S, R>(pk: string, initial: () => S, change: (state: S) => { next?: S; result: R }): Promise<R> => {
    for (let conflict = 0; conflict < MAX_CONFLICTS; conflict++) {
      const { Item: item } = await documents.send(new GetCommand({ TableName: options.tableName, Key: { pk }, ConsistentRead: true }));
      const revision: number = item?.revision ?? 0;
      const { next, result } = change((item?.state as S | undefined) ?? initial());
      if (next === undefined) return result;
      try {
        await documents.send(
          new PutCommand({
            TableName: options.tableName,
            Item: { pk, state: next, revision: revision + 1 },
            ConditionExpression: revision === 0 ? 'attribute_not_exists(pk)' : 'revision = :revision',
            ExpressionAttributeValues: revision === 0 ? undefined : { ':revision': revision },
          }),
        );
        return result;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * (conflict + 1)));
      }
    }
    throw new TransientError(`Too much contention on ${pk}`);
  };

  const budgetKey = `RATE#${options.name}`;
  const breakerKey = `BREAKER#${options.name}`;
  const budget = <R>(change: (state: RateBudgetState, at: number) => { next?: RateBudgetState; result: R }) =>
    mutate(budgetKey, () => initialRateBudget(options.rateBudget, now()), (state) => change(state, now()));
  const breaker = <R>(change: (state: BreakerState, at: number) => { next?: BreakerState; result: R }) =>
    mutate(breakerKey, closedBreaker, (state) => change(state, now()));

  return {
    takeToken: () =>
      budget<{ granted: true } | { granted: false; waitMs: number }>((state, at) => {
        const taken = takeToken(state, at, options.rateBudget);
        return taken.granted ? { next: taken.next, result: { granted: true as const } } : { result: { granted: false as const, waitMs: taken.waitMs } };
      }),
    rateLimited: () => budget((state, at) => ({ next: onRateLimited(state, at, options.rateBudget), result: undefined })),
    admit: () =>
      breaker<{ action: 'call' | 'probe' } | { action: 'wait'; waitMs: number }>((state, at) => {
        const admission = admit(state, at, options.breaker);
        if (admission.action === 'probe') return { next: admission.next, result: { action: 'probe' as const } };
        return { result: admission };
      }),
    succeeded: () => breaker((state) => ({ next: recordSuccess(state), result: undefined })),
    failed: () => breaker((state, at) => ({ next: recordFailure(state, at, options.breaker), result: undefined })),
  };
};

/** Reads the breaker for dashboards and tests. */
export const readBreaker = async (client: DynamoDBClient, tableName: string, name: string): Promise<BreakerState> => {
  const { Item: item } = await DynamoDBDocumentClient.from(client).send(new GetCommand({ TableName: tableName, Key: { pk: `BREAKER#${name}` }, ConsistentRead: true }));
  return (item?.state as BreakerState | undefined) ?? closedBreaker();
};

/** Per-command ledger: what was started, how often it failed, and what the ERP answered. */
export const makeDynamoDbCommandLedger = (client: DynamoDBClient, tableName: string, now: () => number = Date.now): CommandLedger => {
  const documents = DynamoDBDocumentClient.from(client);
  const key = (commandId: string) => ({ pk: `CMD#${commandId}` });
  const expiresAt = () => Math.floor(now() / 1000) + COMMAND_RETENTION_SECONDS;
  const toRecord = (item: Record<string, unknown> | undefined): CommandRecord | undefined =>
    item && item.status
      ? { status: item.status as CommandRecord['status'], attempts: Number(item.attempts ?? 0), erpReference: item.erpReference as string | undefined }
      : undefined;

  return {
    async get(commandId) {
      const { Item: item } = await documents.send(new GetCommand({ TableName: tableName, Key: key(commandId), ConsistentRead: true }));
      return toRecord(item);
    },
    async start(commandId) {
      const { Attributes: before } = await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(commandId),
          UpdateExpression: 'SET #status = if_not_exists(#status, :started), lastStartedAt = :now, expiresAt = :expiresAt ADD starts :one',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':started': 'started', ':now': new Date(now()).toISOString(), ':expiresAt': expiresAt(), ':one': 1 },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return toRecord(before);
    },
    async failedAttempt(commandId) {
      const { Attributes: after } = await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(commandId),
          UpdateExpression: 'ADD attempts :one',
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(after?.attempts ?? 1);
    },
    async done(commandId, receipt) {
      await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(commandId),
          UpdateExpression: 'SET #status = :done, erpReference = :reference, doneAt = :now, expiresAt = :expiresAt',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':done': 'done', ':reference': receipt.erpReference, ':now': new Date(now()).toISOString(), ':expiresAt': expiresAt() },
        }),
      );
    },
  };
};
