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
import { bookingLeadMs, observeBooking, type BookingLead } from '../core/erp/booking-lead';
import { borrowingHorizonMs, classShare, decideSlot, dueWithinMs, type Booking, type ErpPriority, type SlotSchedule } from '../core/erp/priority-slots';
import { afterRateLimited, allowedLatenessMs, currentRate, slotIntervalMs, type RateBudgetConfig, type RateState } from '../core/erp/rate-budget';
import { TransientError } from '../core/errors';
import type { CommandLedger, CommandRecord } from '../core/ports/command-ledger';
import type { ErpCoordination } from '../core/ports/erp-coordination';

/** Command records outlive SQS retention (14 days) so a late redelivery is still recognised. */
const COMMAND_RETENTION_SECONDS = 15 * 24 * 3600;
const MAX_CONFLICTS = 20;
/** Every case of the priority rule as a conditional write (`share` in its two forms). */
const CASES: Array<{ booking: Booking; carries?: boolean }> = [{ booking: 'spare' }, { booking: 'share', carries: true }, { booking: 'share', carries: false }, { booking: 'idle' }];
/** Per class, the item attribute holding the schedule time from which its next slot is within its share. */
const SHARE_FROM: Record<ErpPriority, string> = { customer: 'customerShareFrom', bulk: 'bulkShareFrom' };

/** How long an instance trusts a closed breaker it read, before reading it again. */
export const CLOSED_BREAKER_CACHE_MS = 1000;

export interface CoordinationOptions {
  tableName: string;
  /** Which ERP (or tenant) this budget and breaker belong to. */
  name: string;
  rateBudget: RateBudgetConfig;
  /** Share of the send slots customer work is sure of when bulk work also waits (`erpPriorityShare`). */
  customerShare: number;
  breaker: BreakerConfig;
  now?: () => number;
}

/**
 * The rate budget and circuit breaker shared by every instance of every function that calls the ERP.
 * The budget is a schedule of send slots in one DynamoDB item: `reserveSlot` books the next free slot
 * with one conditional write that moves `nextFreeAt` one interval on, so concurrent instances never book
 * the same slot, and that keeps each priority class's share (`functions/core/erp/priority-slots.ts`). The breaker is another item changed under optimistic concurrency (a `revision`
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
    rateState = budgetRecordOf(item).rateState ?? rateState;
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

  const scheduleOf = (item: Record<string, unknown> | undefined): SlotSchedule => {
    const time = (name: string) => (typeof item?.[name] === 'number' ? (item[name] as number) : undefined);
    return {
      nextFreeAt: time('nextFreeAt'),
      lastSlotAt: time('lastSlotAt'),
      shareFrom: { customer: time(SHARE_FROM.customer), bulk: time(SHARE_FROM.bulk) },
    };
  };
  // This instance's view of the schedule, from its last write or read. A stale view can only make a
  // write's condition fail (then the item is read and the rule applied again), never book wrongly.
  let schedule: SlotSchedule | undefined;
  // How long this instance's bookings take, smoothed: how far ahead of now it books.
  let lead: BookingLead = {};

  /**
   * Books a send slot by the priority rule (`decideSlot`, `functions/core/erp/priority-slots.ts`): the
   * rule picks the case, and the case's conditional write re-checks that case's test on the item, so
   * a slot is one write and concurrent instances never book the same slot.
   */
  const reserveSlot = async (
    maxWaitMs: number,
    priority: ErpPriority,
  ): Promise<{ granted: true; waitMs: number; slotAt: number } | { granted: false; waitMs: number }> => {
    let fresh = false;
    for (let conflict = 0; conflict < MAX_CONFLICTS; conflict++) {
      const started = now();
      // The rule is applied as of when this booking will have come back (`booking-lead.ts`), so the
      // slot it books is not already past, and given up, by then.
      const at = started + bookingLeadMs(lead);
      const intervalMs = slotIntervalMs(currentRate(rateState, at, options.rateBudget));
      const decision = decideSlot(schedule ?? { shareFrom: {} }, { priority, nowMs: at, intervalMs, customerShare: options.customerShare, maxWaitMs });
      if (!decision.granted && fresh) return decision;
      if (decision.granted) {
        const context = { at, intervalMs, maxWaitMs, schedule: schedule ?? { shareFrom: {} } };
        let written = await conditional(slotWrite(decision.booking, priority, context));
        // The item moved since this view (another instance booked, or the schedule fell idle): the
        // other cases are tried before reading it. The cases' conditions exclude one another, so the
        // write that succeeds is the rule's own case for the item as it is.
        for (const other of CASES) {
          if (written) break;
          written = await conditional(slotWrite(other.booking, priority, { ...context, carries: other.carries }));
        }
        if (written) {
          lead = observeBooking(lead, now() - started);
          remember(written);
          schedule = scheduleOf(written);
          const slotAt = Number(written.lastSlotAt);
          return { granted: true, waitMs: Math.max(0, slotAt - now()), slotAt };
        }
      }
      const { Item: item } = await documents.send(new GetCommand({ TableName: options.tableName, Key: budgetKey, ConsistentRead: true }));
      remember(item);
      schedule = scheduleOf(item);
      fresh = true;
    }
    throw new TransientError(`Too much contention on ${budgetKey.pk}`);
  };

  /** Every booking also records the configured limit and margin, so `ops overview` reads the stage's own budget. */
  const recordConfigured = 'configuredRate = :configured, marginMs = :margin';
  const configuredValues = { ':configured': options.rateBudget.requestsPerSecond, ':margin': options.rateBudget.marginMs };
  /** One conditional write per booking case; its condition is the case's test in `decideSlot`. */
  const slotWrite = (
    booking: Booking,
    priority: ErpPriority,
    { at, intervalMs, maxWaitMs, schedule: view, carries: carriesAs }: { at: number; intervalMs: number; maxWaitMs: number; schedule: SlotSchedule; carries?: boolean },
  ): ConstructorParameters<typeof UpdateCommand>[0] => {
    if (booking === 'idle') {
      return {
        TableName: options.tableName,
        Key: budgetKey,
        UpdateExpression: `SET nextFreeAt = :next, lastSlotAt = :now, ${recordConfigured}`,
        ConditionExpression: 'attribute_not_exists(nextFreeAt) OR nextFreeAt < :now',
        ExpressionAttributeValues: { ':next': at + intervalMs, ':now': at, ...configuredValues },
      };
    }
    const busy = 'nextFreeAt BETWEEN :now AND :latest';
    const move = `SET lastSlotAt = nextFreeAt, nextFreeAt = nextFreeAt + :interval, ${recordConfigured}`;
    const values = { ':now': at, ':latest': at + maxWaitMs, ':interval': intervalMs, ...configuredValues };
    if (booking === 'share') {
      const classInterval = intervalMs / classShare(priority, options.customerShare);
      // max(shareFrom, lastSlotAt) + class interval, as two cases: DynamoDB has no max.
      const carries = carriesAs ?? (view.shareFrom[priority] !== undefined && view.lastSlotAt !== undefined && view.shareFrom[priority]! >= view.lastSlotAt);
      return {
        TableName: options.tableName,
        Key: budgetKey,
        UpdateExpression: `${move}, #from = ${carries ? '#from' : 'lastSlotAt'} + :classInterval`,
        ConditionExpression: carries
          ? `${busy} AND attribute_exists(lastSlotAt) AND #from <= nextFreeAt AND #from >= lastSlotAt`
          : `${busy} AND attribute_exists(lastSlotAt) AND (attribute_not_exists(#from) OR #from < lastSlotAt)`,
        ExpressionAttributeNames: { '#from': SHARE_FROM[priority] },
        ExpressionAttributeValues: { ...values, ':classInterval': classInterval },
      };
    }
    // A spare slot, beyond the class's share: one that is not the other class's turn, within the
    // class's borrowing horizon, or the slot that is due.
    const beyondShare = '(attribute_not_exists(lastSlotAt) OR #from > nextFreeAt)';
    const notOtherTurn = '(attribute_not_exists(#otherFrom) OR #otherFrom > nextFreeAt OR #otherFrom < :otherIdleBefore)';
    return {
      TableName: options.tableName,
      Key: budgetKey,
      UpdateExpression: move,
      ConditionExpression: `${busy} AND ${beyondShare} AND ((nextFreeAt <= :borrowLatest AND ${notOtherTurn}) OR nextFreeAt <= :due)`,
      ExpressionAttributeNames: { '#from': SHARE_FROM[priority], '#otherFrom': SHARE_FROM[priority === 'customer' ? 'bulk' : 'customer'] },
      ExpressionAttributeValues: {
        ...values,
        ':due': at + dueWithinMs(intervalMs),
        ':otherIdleBefore': at - maxWaitMs,
        ':borrowLatest': at + borrowingHorizonMs(priority, maxWaitMs),
      },
    };
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
    maxLatenessMs: allowedLatenessMs(options.rateBudget),
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

/** Key prefix of the command ledger's items in the coordination table (`CMD#<commandId>`). */
export const COMMAND_KEY_PREFIX = 'CMD#';

/** A command ledger item as its record; undefined for an item without a status. */
/**
 * What the budget item (`RATE#<name>`) says of the rate: the adaptive rate a 429 set, and the limit and
 * margin the last booking was configured with (items booked before they were recorded lack them).
 */
export const budgetRecordOf = (item: Record<string, unknown> | undefined): { rateState?: RateState; configuredRate?: number; marginMs?: number } => {
  const numberIn = (name: string) => (typeof item?.[name] === 'number' ? (item[name] as number) : undefined);
  const rate = numberIn('rate');
  const rateChangedAtMs = numberIn('rateChangedAt');
  return {
    ...(rate !== undefined && rateChangedAtMs !== undefined ? { rateState: { rate, rateChangedAtMs } } : {}),
    configuredRate: numberIn('configuredRate'),
    marginMs: numberIn('marginMs'),
  };
};

export const commandRecordOf = (item: Record<string, unknown> | undefined): CommandRecord | undefined =>
  item && item.status
    ? {
        status: item.status as CommandRecord['status'],
        attempts: Number(item.attempts ?? 0),
        erpReference: item.erpReference as string | undefined,
        ...(typeof item.lastStartedAt === 'string' ? { lastStartedAt: item.lastStartedAt } : {}),
        ...(typeof item.doneAt === 'string' ? { doneAt: item.doneAt } : {}),
      }
    : undefined;

/** Per-command ledger: what was started, how often it failed, and what the ERP answered. */
export const makeDynamoDbCommandLedger = (client: DynamoDBClient, tableName: string, now: () => number = Date.now): CommandLedger => {
  const documents = DynamoDBDocumentClient.from(client);
  const key = (commandId: string) => ({ pk: `${COMMAND_KEY_PREFIX}${commandId}` });
  const expiresAt = () => Math.floor(now() / 1000) + COMMAND_RETENTION_SECONDS;
  const toRecord = commandRecordOf;

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
