import type { ErpCommand } from '../canonical/erp-command';

/**
 * Business priority of a call into the ERP. `customer`: work a customer is waiting on (a workflow's
 * command or read, a return authorization, a refund, a replacement order). `bulk`: work nobody waits
 * on (reconciliation reads, change-notification reads, commands no workflow waits for).
 */
export type ErpPriority = 'customer' | 'bulk';

const CUSTOMER_COMMANDS: ReadonlySet<ErpCommand['type']> = new Set(['return-authorization.create', 'refund.issue', 'replacement-order.create']);

/** A command is customer work when a workflow waits on it or it is one a customer waits for. */
export const priorityOfCommand = (command: Pick<ErpCommand, 'type' | 'taskToken'>): ErpPriority =>
  command.taskToken !== undefined || CUSTOMER_COMMANDS.has(command.type) ? 'customer' : 'bulk';

/** `erpPriorityShare` when the stage does not set it. */
export const DEFAULT_CUSTOMER_SHARE = 0.7;

/**
 * A slot this close to now is due: anyone may take it. At least one interval, and at least the time a
 * booking write takes to come back (DynamoDB's, and slower emulators'), or due slots would go idle.
 */
export const DUE_WITHIN_MS = 100;
export const dueWithinMs = (intervalMs: number) => Math.max(intervalMs, DUE_WITHIN_MS);

/** Share of the send slots each class is sure of when both have work (`erpPriorityShare` is the customer's). */
export const classShare = (priority: ErpPriority, customerShare: number) => (priority === 'customer' ? customerShare : 1 - customerShare);

/**
 * The shared send-slot schedule with its priority classes (one DynamoDB item).
 * `nextFreeAt`: the next free slot; `lastSlotAt`: the slot booked last; `shareFrom`: per class, the
 * schedule time from which the class's next slot is again within its share.
 */
export interface SlotSchedule {
  nextFreeAt?: number;
  lastSlotAt?: number;
  shareFrom: Partial<Record<ErpPriority, number>>;
}

/**
 * How a slot is taken, each one conditional write in the adapter whose condition is the case's test:
 * `idle`: the schedule lags behind now, the slot is now; `share`: a slot ahead within the class's
 * share (moves `shareFrom` one class interval on, from `lastSlotAt` when it lagged behind it);
 * `spare`: a slot beyond the class's share, which does not count against it.
 */
export type Booking = 'idle' | 'share' | 'spare';

export interface SlotRequest {
  priority: ErpPriority;
  nowMs: number;
  /** Spacing of all slots at the rate in force. */
  intervalMs: number;
  customerShare: number;
  maxWaitMs: number;
}

export type SlotDecision = { granted: true; booking: Booking; slotAt: number; next: SlotSchedule } | { granted: false; waitMs: number };

/** The class has been taking no more than its share: its pointer is not ahead of the next free slot. */
export const withinShare = (schedule: SlotSchedule, priority: ErpPriority) => {
  const from = schedule.shareFrom[priority];
  return schedule.lastSlotAt !== undefined && (from === undefined || from <= schedule.nextFreeAt!);
};

/**
 * The slot is not the other class's turn: its share lets it have a slot only from a later one, or it
 * has let its turn pass for longer than a caller waits for a slot (it has no work).
 */
export const notTurnOf = (schedule: SlotSchedule, priority: ErpPriority, nowMs: number, maxWaitMs: number) => {
  const from = schedule.shareFrom[priority];
  return from === undefined || from > schedule.nextFreeAt! || from < nowMs - maxWaitMs;
};

/** How far ahead a class books beyond its share: customer work half the caller's wait, bulk work a quarter. */
export const borrowingHorizonMs = (priority: ErpPriority, maxWaitMs: number) => (priority === 'customer' ? maxWaitMs / 2 : maxWaitMs / 4);

const otherClass = (priority: ErpPriority): ErpPriority => (priority === 'customer' ? 'bulk' : 'customer');

/**
 * THE PRIORITY RULE. Every slot is one interval after the previous one (or now, when the schedule is
 * idle), whoever takes it, so the rate budget holds as without classes. Who may take a slot ahead of now:
 * - a class within its share of the slots (customer work `customerShare`, bulk work the rest), always;
 * - a class beyond its share, a slot that is not the other class's turn, up to its borrowing horizon
 *   (customer work half the caller's wait, bulk work a quarter);
 * - anyone, the slot that is due (no more than `dueWithinMs` ahead of now).
 * So a bulk backlog books no further ahead than its horizon (plus its share's few slots), customer work
 * arriving goes ahead of the rest of it, and each class with work gets at least its share.
 */
export const decideSlot = (schedule: SlotSchedule, request: SlotRequest): SlotDecision => {
  const { priority, nowMs, intervalMs, maxWaitMs } = request;
  const next = schedule.nextFreeAt;
  if (next === undefined || next < nowMs) {
    return { granted: true, booking: 'idle', slotAt: nowMs, next: { nextFreeAt: nowMs + intervalMs, lastSlotAt: nowMs, shareFrom: schedule.shareFrom } };
  }
  if (next > nowMs + maxWaitMs) return { granted: false, waitMs: next - nowMs };
  const booked = (booking: Booking, shareFrom: SlotSchedule['shareFrom']): SlotDecision => ({
    granted: true,
    booking,
    slotAt: next,
    next: { nextFreeAt: next + intervalMs, lastSlotAt: next, shareFrom },
  });
  if (withinShare(schedule, priority)) {
    const from = Math.max(schedule.shareFrom[priority] ?? -Infinity, schedule.lastSlotAt!);
    return booked('share', { ...schedule.shareFrom, [priority]: from + intervalMs / classShare(priority, request.customerShare) });
  }
  const borrowsUntil = notTurnOf(schedule, otherClass(priority), nowMs, maxWaitMs) ? nowMs + borrowingHorizonMs(priority, maxWaitMs) : -Infinity;
  if (next <= borrowsUntil || next <= nowMs + dueWithinMs(intervalMs)) return booked('spare', schedule.shareFrom);
  // Retry when the slot is due or in the horizon, or earlier if others move the schedule up to this class's share.
  const retryAt = Math.min(next - dueWithinMs(intervalMs), next - (borrowsUntil - nowMs), schedule.shareFrom[priority] ?? next);
  return { granted: false, waitMs: Math.max(1, retryAt - nowMs) };
};
