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
import { afterRateLimited, currentRate, slotIntervalMs, type RateBudgetConfig, type RateState } from '../core/erp/rate-budget';
import { TransientError } from '../core/errors';
import type { CommandLedger, CommandRecord } from '../core/ports/command-ledger';
import type { ErpCoordination } from '../core/ports/erp-coordination';

/** Command records outlive SQS retention (14 days) so a late redelivery is still recognised. */
const COMMAND_RETENTION_SECONDS = 15 * 24 * 3600;
const MAX_CONFLICTS = 20;

/** How long an instance trusts a closed breaker it read, before reading it again. */
export const CLOSED_BREAKER_CACHE_MS = 1000;

export interface CoordinationOptions {
  tableName: string;
  /** Which ERP (or tenant) this budget and breaker belong to. */
  name: string;
  rateBudget: RateBudgetConfig;
  breaker: BreakerConfig;
  now?: () => number;
}

/**
 * The rate budget and circuit breaker shared by every instance of every function that calls the ERP.
 * The budget is a schedule of send slots in one DynamoDB item: `reserveSlot` books the next free slot
 * with one conditional write that moves `nextFreeAt` one interval on, so concurrent instances never book
 * the same slot. The breaker is another item changed under optimistic concurrency (a `revision`
 * condition), so two instances never both probe a half-open ERP.
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

  const budgetKey = { pk: `RATE#${options.name}` };
  const breakerKey = `BREAKER#${options.name}`;
  // This instance's view of the adaptive rate, refreshed by every slot it takes.
  let rateState: RateState | undefined;
  const remember = (item: Record<string, unknown> | undefined) => {
    if (item && typeof item.rate === 'number' && typeof item.rateChangedAt === 'number') rateState = { rate: item.rate, rateChangedAtMs: item.rateChangedAt };
  };
  const conditional = async (input: ConstructorParameters<typeof UpdateCommand>[0]) => {
    try {
      const { Attributes } = await documents.send(new UpdateCommand({ ...input, ReturnValues: 'ALL_NEW' }));
      return Attributes;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  };

  /** Takes the next send slot with one conditional write (the schedule moves one interval on). */
  const reserveSlot = async (maxWaitMs: number): Promise<{ granted: true; waitMs: number; slotAt: number } | { granted: false; waitMs: number }> => {
    for (let conflict = 0; conflict < MAX_CONFLICTS; conflict++) {
      const at = now();
      const interval = slotIntervalMs(currentRate(rateState, at, options.rateBudget));
      // The schedule is ahead of now (busy): book the slot after the last one booked.
      const booked = await conditional({
        TableName: options.tableName,
        Key: budgetKey,
        UpdateExpression: 'SET nextFreeAt = nextFreeAt + :interval',
        ConditionExpression: 'nextFreeAt BETWEEN :now AND :latest',
        ExpressionAttributeValues: { ':interval': interval, ':now': at, ':latest': at + maxWaitMs },
      });
      if (booked) {
        remember(booked);
        const slotAt = Number(booked.nextFreeAt) - interval;
        return { granted: true, waitMs: Math.max(0, slotAt - now()), slotAt };
      }
      // The schedule lags behind now (idle): the slot is now.
      const fresh = await conditional({
        TableName: options.tableName,
        Key: budgetKey,
        UpdateExpression: 'SET nextFreeAt = :next',
        ConditionExpression: 'attribute_not_exists(nextFreeAt) OR nextFreeAt < :now',
        ExpressionAttributeValues: { ':next': at + interval, ':now': at },
      });
      if (fresh) {
        remember(fresh);
        return { granted: true, waitMs: 0, slotAt: at };
      }
      const { Item: item } = await documents.send(new GetCommand({ TableName: options.tableName, Key: budgetKey, ConsistentRead: true }));
      remember(item);
      const waitMs = Number(item?.nextFreeAt ?? at) - at;
      if (waitMs > maxWaitMs) return { granted: false, waitMs };
      // Another instance moved the schedule between our two writes: try again.
    }
    throw new TransientError(`Too much contention on ${budgetKey.pk}`);
  };
  // A healthy breaker is read at most once a second per instance; any other state is read every time.
  let healthySince: number | undefined;
  const breaker = <R>(change: (state: BreakerState, at: number) => { next?: BreakerState; result: R }) =>
    mutate(breakerKey, closedBreaker, (state) => {
      const outcome = change(state, now());
      const current = outcome.next ?? state;
      healthySince = current.status === 'closed' && current.consecutiveFailures === 0 ? now() : undefined;
      return outcome;
    });
  const trustHealthy = () => healthySince !== undefined && now() - healthySince < CLOSED_BREAKER_CACHE_MS;

  return {
    reserveSlot,
    async rateLimited() {
      const at = now();
      const next = afterRateLimited(rateState, at, options.rateBudget);
      // Many instances see the same burst of 429s: halve at most once a second.
      const updated = await conditional({
        TableName: options.tableName,
        Key: budgetKey,
        UpdateExpression: 'SET rate = :rate, rateChangedAt = :at',
        ConditionExpression: 'attribute_not_exists(rateChangedAt) OR rateChangedAt < :recent',
        ExpressionAttributeValues: { ':rate': next.rate, ':at': at, ':recent': at - 1000 },
      });
      // Another instance halved it just now: adopt its rate.
      remember(updated ?? (await documents.send(new GetCommand({ TableName: options.tableName, Key: budgetKey, ConsistentRead: true }))).Item);
    },
    admit: async () =>
      trustHealthy()
        ? { action: 'call' as const }
        : breaker<{ action: 'call' | 'probe' } | { action: 'wait'; waitMs: number }>((state, at) => {
        const admission = admit(state, at, options.breaker);
        if (admission.action === 'probe') return { next: admission.next, result: { action: 'probe' as const } };
        return { result: admission };
      }),
    succeeded: async () => {
      if (!trustHealthy()) await breaker((state) => ({ next: recordSuccess(state), result: undefined }));
    },
    failed: () => breaker((state, at) => ({ next: recordFailure(state, at, options.breaker), result: undefined })),
  };
};

/** Per-command ledger: what was started, how often it failed, and what the ERP answered. */
export const makeDynamoDbCommandLedger = (client: DynamoDBClient, tableName: string, now: () => number = Date.now): CommandLedger => {
  const documents = DynamoDBDocumentClient.from(client);
  const key = (commandId: string) => ({ pk: `CMD#${commandId}` });
  const expiresAt = () => Math.floor(now() / 1000) + COMMAND_RETENTION_SECONDS;
  const toRecord = (item: Record<string, unknown> | undefined): CommandRecord | undefined =>
    item && item.status
      ? {
          status: item.status as CommandRecord['status'],
          attempts: Number(item.attempts ?? 0),
          erpReference: item.erpReference as string | undefined,
          ...(typeof item.lastStartedAt === 'string' ? { lastStartedAt: item.lastStartedAt } : {}),
          ...(typeof item.doneAt === 'string' ? { doneAt: item.doneAt } : {}),
        }
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
    async resetAttempts(commandId) {
      try {
        await documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(commandId),
            UpdateExpression: 'SET attempts = :zero',
            // Only a command the ledger knows: an update would otherwise create a record without status or expiry.
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':zero': 0 },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
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
