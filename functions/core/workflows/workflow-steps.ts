import * as z from '../zod';
import { EVENT_SOURCE_PREFIX, type CanonicalEvent } from '../canonical/events';
import { Milestone, type WorkflowTransition } from '../canonical/workflow';
import { deriveEventId } from '../connectors/events';
import { DomainError } from '../errors';
import type { Clock } from '../ports/clock';
import type { EventPublisher } from '../ports/event-publisher';
import type { CaseMilestones, ErpResolutionReads, TaskCallbacks, WorkflowStore, WorkflowWaits } from '../ports/workflow-tasks';
import { recordMilestone, RefundOrReplacementState, WorkflowRequest, type MilestoneRecord } from './refund-or-replacement';
import { decideEligibility, policyFor, type EligibilityDecision, type ResolutionPolicy } from './resolution-policy';
import { makeAwaitReturn } from './return-receipts';

const TaskToken = z.string().check(z.minLength(1));
const EnteredAt = z.iso.datetime({ offset: true });
const ResolvedLines = z.array(z.object({ lineId: z.string(), sku: z.optional(z.string()), quantity: z.number().check(z.int(), z.positive()) }));

/** The messages the workflow definitions send to the workflow-steps queue, one shape per step. */
export const WorkflowStepMessage = z.discriminatedUnion('step', [
  z.object({ step: z.literal('record-milestone'), milestone: Milestone, enteredAt: EnteredAt, taskToken: TaskToken, workflow: RefundOrReplacementState }),
  z.object({ step: z.literal('park'), enteredAt: EnteredAt, taskToken: TaskToken, workflow: RefundOrReplacementState }),
  z.object({ step: z.literal('check-eligibility'), taskToken: TaskToken, workflowId: z.string().check(z.minLength(1)), request: WorkflowRequest }),
  z.object({ step: z.literal('check-inventory'), taskToken: TaskToken, workflowId: z.string().check(z.minLength(1)), request: WorkflowRequest, lines: ResolvedLines }),
  z.object({ step: z.literal('await-return'), taskToken: TaskToken, workflowId: z.string().check(z.minLength(1)), request: WorkflowRequest, returnAuthorization: z.object({ erpReference: z.string().check(z.minLength(1)) }) }),
]);
export type WorkflowStepMessage = z.infer<typeof WorkflowStepMessage>;

export interface WorkflowStepsDependencies {
  callbacks: TaskCallbacks;
  erp: ErpResolutionReads;
  milestones: CaseMilestones;
  publisher: EventPublisher;
  waits: Pick<WorkflowWaits, 'awaitReturn' | 'receipt' | 'clearReturnWait' | 'park'>;
  store: Pick<WorkflowStore, 'recordTransition'>;
  /** Ordered by `parsePolicies`. */
  policies: readonly ResolutionPolicy[];
  clock: Clock;
  /** Told the turnaround KPIs as their milestones are recorded (seconds since the request). */
  observe?: (kpi: WorkflowKpi, seconds: number) => void;
}

/** What finance and support leaders watch: time from the request to the money, the replacement, the closed case. */
export type WorkflowKpi = 'RefundTurnaround' | 'ReplacementCycleTime' | 'CaseClosureLatency';
const KPI_OF_MILESTONE: Partial<Record<Milestone, WorkflowKpi>> = {
  'refund-issued': 'RefundTurnaround',
  'replacement-created': 'ReplacementCycleTime',
  resolved: 'CaseClosureLatency',
};

/** Errors no retry can fix, by kind, and the name the definition's `Catch` sees. */
const FINAL_ERRORS: Record<string, string | undefined> = { validation: 'Workflow.Invalid', permanent: 'Workflow.Permanent', 'not-found': 'Workflow.NotFound' };

/** A `workflow.*` event; its id depends only on `key` (e.g. the workflow, the milestone and when the state was entered). */
export const workflowEvent = (detailType: MilestoneRecord['detailType'], transition: WorkflowTransition, key: string, correlationId: string, at: Date): CanonicalEvent => ({
  detailType,
  source: `${EVENT_SOURCE_PREFIX}workflows`,
  detail: {
    eventId: deriveEventId('erp', `workflow:${key}`, 0),
    correlationId,
    schemaVersion: 1,
    origin: { system: 'retail-sync', deliveryId: key, type: 'workflow' },
    receivedAt: at.toISOString(),
    data: transition,
  },
});

/**
 * Runs one workflow step and answers its task token. Safe to run again for the same message (SQS
 * redelivers after a crash): the audit trail and the case get the milestone once per key, the event keeps its id, and a token
 * answered twice changes nothing. A step that no retry can fix fails the token with the error's kind
 * (`Workflow.Invalid`, `Workflow.Permanent`, `Workflow.NotFound`), so the definition parks the workflow for a person;
 * anything else is thrown, so the queue retries it.
 */
export const makeWorkflowSteps = (deps: WorkflowStepsDependencies) => {
  const awaitReturn = makeAwaitReturn({ waits: deps.waits, callbacks: deps.callbacks });
  const record = async (milestone: Milestone, state: RefundOrReplacementState, enteredAt: string) => {
    const now = deps.clock.now();
    const milestoneRecord = recordMilestone(milestone, state, now.toISOString());
    const key = `${state.workflowId}:${milestone}:${enteredAt}`;
    await deps.store.recordTransition(milestoneRecord.transition, enteredAt);
    await deps.milestones.post(state.request.caseId, key, milestoneRecord.caseComment, { solve: milestoneRecord.resolvesCase });
    await deps.publisher.publish([workflowEvent(milestoneRecord.detailType, milestoneRecord.transition, key, state.request.correlationId, now)]);
    const kpi = KPI_OF_MILESTONE[milestone];
    if (kpi) deps.observe?.(kpi, Math.max(0, (now.getTime() - Date.parse(state.request.requestedAt)) / 1000));
  };

  const checkEligibility = async (request: WorkflowRequest): Promise<EligibilityDecision> => {
    const order = await deps.erp.orderForResolution(request.orderId);
    if (!order) {
      return { eligible: false, reasons: [{ code: 'order-not-found', detail: `The ERP has no order ${request.orderId}.` }], policy: '(none)' };
    }
    return decideEligibility(policyFor(deps.policies, order), order, request, deps.clock.now());
  };

  const checkInventory = async (lines: z.infer<typeof ResolvedLines>) => {
    const needed = new Map<string, number>();
    for (const line of lines) if (line.sku) needed.set(line.sku, (needed.get(line.sku) ?? 0) + line.quantity);
    const shortages: Array<{ sku: string; needed: number; available: number }> = [];
    for (const [sku, quantity] of needed) {
      const available = await deps.erp.availableStock(sku);
      if (available < quantity) shortages.push({ sku, needed: quantity, available });
    }
    // A line without a SKU cannot be shipped again: refund it.
    const unknownItems = lines.some((line) => !line.sku);
    return { inStock: shortages.length === 0 && !unknownItems, shortages };
  };

  return async (message: WorkflowStepMessage): Promise<void> => {
    try {
      switch (message.step) {
        case 'record-milestone':
          await record(message.milestone, message.workflow, message.enteredAt);
          return deps.callbacks.succeed(message.taskToken, {});
        case 'park':
          await record('exception', message.workflow, message.enteredAt);
          // The token waits with the exception until a person decides (ops retry or abandon).
          return deps.waits.park(message.workflow.workflowId, message.taskToken, message.workflow.exception ?? { step: 'unknown', error: 'unknown' });
        case 'check-eligibility':
          return deps.callbacks.succeed(message.taskToken, await checkEligibility(message.request));
        case 'check-inventory':
          return deps.callbacks.succeed(message.taskToken, await checkInventory(message.lines));
        case 'await-return':
          return awaitReturn(message.returnAuthorization.erpReference, message.taskToken, message.workflowId);
      }
    } catch (error) {
      const name = error instanceof DomainError ? FINAL_ERRORS[error.kind] : undefined;
      if (name) return deps.callbacks.fail(message.taskToken, name, (error as Error).message);
      throw error;
    }
  };
};
