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
 * Bulk work's turn is not this slot: its share lets it have a slot only from a later one, or it has let
 * its turn pass for longer than a caller waits for a slot (it has no work).
 */
export const notBulkTurn = (schedule: SlotSchedule, nowMs: number, maxWaitMs: number) => {
  const from = schedule.shareFrom.bulk;
  return from === undefined || from > schedule.nextFreeAt! || from < nowMs - maxWaitMs;
};

/**
 * THE PRIORITY RULE. Every slot is one interval after the previous one (or now, when the schedule is
 * idle), whoever takes it, so the rate budget holds as without classes. Who may take a slot ahead of now:
 * - a class within its share of the slots (customer work `customerShare`, bulk work the rest) always;
 * - customer work beyond its share when the slot is not bulk work's turn and is no further ahead than
 *   half the caller's wait, so bulk work asking always finds a slot within its own wait;
 * - anyone the slot that is due (no more than one interval ahead of now).
 * So bulk work never books more than three slots ahead of now, customer work goes ahead of a bulk
 * backlog, and bulk work with work to do still gets at least its share.
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
  if ((priority === 'customer' && next <= nowMs + maxWaitMs / 2 && notBulkTurn(schedule, nowMs, maxWaitMs)) || next <= nowMs + intervalMs) return booked('spare', schedule.shareFrom);
  // Retry when the slot is due, or earlier if others move the schedule up to this class's share.
  const retryAt = Math.min(next - (priority === 'customer' ? maxWaitMs / 2 : intervalMs), schedule.shareFrom[priority] ?? next);
  return { granted: false, waitMs: Math.max(1, retryAt - nowMs) };
};
