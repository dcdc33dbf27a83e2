import { createHash } from 'node:crypto';
import * as z from '../zod';
import { Money } from '../canonical/model';
import type { Milestone, WorkflowState, WorkflowTransition } from '../canonical/workflow';
import type { DetailType } from '../canonical/events';
import { ResolutionReason, type EligibilityDecision } from './resolution-policy';

const Id = z.string().check(z.minLength(1), z.maxLength(128));

/** Body of `POST /v1/cases/{caseId}/resolutions`: which lines of which order, why, and what the customer prefers. */
export const ResolutionRequestBody = z.strictObject({
  orderId: Id,
  lines: z
    .array(
      z.strictObject({ lineId: z.optional(Id), sku: z.optional(Id), quantity: z.number().check(z.int(), z.positive(), z.lte(10_000)), reason: ResolutionReason }).check(z.refine((line) => (line.lineId === undefined) !== (line.sku === undefined), 'name the line by exactly one of lineId or sku')),
    ).check(z.minLength(1), z.maxLength(100)),
  preferred: z.enum(['replacement', 'refund']),
  requestedBy: z.string().check(z.minLength(1), z.maxLength(256)),
});
export type ResolutionRequestBody = z.infer<typeof ResolutionRequestBody>;

/** The request as the workflow carries it: the body, the case it came from, and when. */
export const WorkflowRequest = z.extend(ResolutionRequestBody, { caseId: Id, correlationId: z.string().check(z.minLength(1)), requestedAt: z.iso.datetime({ offset: true }) });
export type WorkflowRequest = z.infer<typeof WorkflowRequest>;

/** What a refund-or-replacement execution starts with. */
export interface RefundOrReplacementInput {
  workflowId: string;
  request: WorkflowRequest;
}

/**
 * The execution name of a request: the same case, order and lines always give the same workflow, so a
 * request sent twice starts nothing new. Readable where it can be; the hash makes it unique.
 */
export const workflowIdFor = (caseId: string, body: Pick<ResolutionRequestBody, 'orderId' | 'lines'>): string => {
  const lines = [...body.lines].map((line) => `${line.lineId ?? ''}|${line.sku ?? ''}|${line.quantity}|${line.reason}`).sort();
  const hash = createHash('sha256').update(JSON.stringify([caseId, body.orderId, lines])).digest('hex').slice(0, 20);
  // Step Functions execution names: at most 80 characters of letters, digits, dashes and underscores.
  const readable = `${caseId}-${body.orderId}`.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 50);
  return `rr-${readable}-${hash}`;
};

const ErpReference = z.object({ erpReference: z.string().check(z.minLength(1)) });

/** The execution's state as the definition carries it (`$`); each step adds its result under its own key. */
export const RefundOrReplacementState = z.object({
  workflowId: z.string().check(z.minLength(1)),
  request: WorkflowRequest,
  eligibility: z.optional(z.custom<EligibilityDecision>((value) => typeof value === 'object' && value !== null && 'eligible' in value)),
  returnAuthorization: z.optional(ErpReference),
  inventory: z.optional(z.object({ inStock: z.boolean() })),
  replacement: z.optional(ErpReference),
  returnReceipt: z.optional(z.object({ receivedAt: z.optional(z.string()) })),
  refund: z.optional(ErpReference),
  // Step Functions gives a null cause when the failing task named none.
  exception: z.optional(z.object({ step: z.string(), error: z.string(), cause: z.pipe(z.nullish(z.string()), z.transform((cause) => cause ?? undefined)) })),
  /** The return authorization cancelled when the workflow was abandoned before any refund or replacement. */
  compensation: z.optional(ErpReference),
  /** The ERP refused to cancel it (Step Functions' `Error` and `Cause`). */
  compensationFailure: z.optional(z.object({ Error: z.nullish(z.string()), Cause: z.nullish(z.string()) })),
});
export type RefundOrReplacementState = z.infer<typeof RefundOrReplacementState>;

export interface MilestoneRecord {
  detailType: Extract<DetailType, `workflow.${string}`>;
  transition: WorkflowTransition;
  /** The authoritative note posted on the case. */
  caseComment: string;
  /** The case is solved with this milestone. */
  resolvesCase: boolean;
}

type Amount = z.infer<typeof Money> | undefined;
const money = (amount: Amount) => (amount ? `${amount.amount} ${amount.currency}` : 'the price of the lines');
/** "Return authorization RMA-7", or just the label while the ERP's reference is unknown. */
const named = (label: string, reference: { erpReference: string } | undefined) => (reference ? `${label} ${reference.erpReference}` : label);

/**
 * What each milestone means: its event, the workflow's state after it, who caused it, and the note the
 * case shows. The one place the wording of a milestone lives.
 */
export const recordMilestone = (milestone: Milestone, state: RefundOrReplacementState, occurredAt: string): MilestoneRecord => {
  const eligibility = state.eligibility;
  const decided = eligibility?.eligible ? eligibility : undefined;
  const base = { workflowId: state.workflowId, workflow: 'refund-or-replacement' as const, caseId: state.request.caseId, orderId: state.request.orderId, milestone, occurredAt };
  const make = (
    detailType: MilestoneRecord['detailType'],
    workflowState: WorkflowState,
    actor: WorkflowTransition['actor'],
    caseComment: string,
    extra: Partial<WorkflowTransition> = {},
    resolvesCase = false,
  ): MilestoneRecord => ({
    detailType,
    transition: { ...base, state: workflowState, actor, cause: caseComment, ...(decided ? { resolution: decided.resolution } : {}), ...extra },
    caseComment,
    resolvesCase,
  });
  const erpDocument = (type: NonNullable<WorkflowTransition['erpDocument']>['type'], reference: { erpReference: string } | undefined) =>
    reference ? { erpDocument: { type, reference: reference.erpReference } } : {};

  switch (milestone) {
    case 'received':
      // The product itself asks for some resolutions (an order exception): `system:<why>`.
      return make('workflow.started', 'running', state.request.requestedBy.startsWith('system:') ? 'system' : 'agent', `Request for a ${state.request.preferred} received from ${state.request.requestedBy}; checking it against the order in the ERP.`);
    case 'eligibility-confirmed':
      return make(
        'workflow.step.completed',
        'running',
        'erp',
        decided
          ? `Eligible: ${decided.resolution === 'replacement' ? 'a replacement' : `a ${decided.refundMethod === 'credit-memo' ? 'credit memo' : 'refund'} of ${money(decided.refundAmount)}`} under policy ${decided.policy}; return shipping paid by the ${decided.shippingPaidBy}.`
          : 'Eligible.',
        // The SLA runs from the request, under the policy that decided it.
        decided
          ? {
              slaDueAt: new Date(Date.parse(state.request.requestedAt) + decided.slaSeconds * 1000).toISOString(),
              ...(decided.region ? { region: decided.region } : {}),
              ...(decided.brand ? { brand: decided.brand } : {}),
            }
          : {},
      );
    case 'rejected': {
      const reasons = eligibility && !eligibility.eligible ? eligibility.reasons : [];
      return make('workflow.completed', 'rejected', 'erp', `Not eligible: ${reasons.map((reason) => reason.detail).join(' ') || 'see the workflow.'}`, { rejection: reasons }, false);
    }
    case 'return-authorized':
      return make('workflow.step.completed', 'running', 'erp', `${named('Return authorization', state.returnAuthorization)} created in the ERP.`, erpDocument('return-authorization', state.returnAuthorization));
    case 'replacement-created':
      return make('workflow.step.completed', 'running', 'erp', `${named('Replacement order', state.replacement)} created in the ERP.`, erpDocument('replacement-order', state.replacement));
    case 'replacement-unavailable':
      return make('workflow.step.completed', 'running', 'erp', 'The replacement is out of stock: refunding instead.', { resolution: 'refund' });
    case 'awaiting-return':
      return make('workflow.step.completed', 'waiting-for-return', 'system', 'Waiting for the return to reach the warehouse; the refund follows its receipt.');
    case 'return-received':
      return make('workflow.step.completed', 'running', '3pl', `The warehouse received the return${state.returnReceipt?.receivedAt ? ` on ${state.returnReceipt.receivedAt}` : ''}.`);
    case 'refund-issued': {
      const creditMemo = decided?.refundMethod === 'credit-memo';
      return make(
        'workflow.step.completed',
        'running',
        'erp',
        `${named(creditMemo ? 'Credit memo' : 'Refund', state.refund)} of ${money(decided?.refundAmount)} issued in the ERP.`,
        { ...erpDocument(creditMemo ? 'credit-memo' : 'refund', state.refund), ...(decided?.refundAmount ? { amount: decided.refundAmount } : {}), resolution: 'refund' },
      );
    }
    case 'resolved':
      return make('workflow.completed', 'resolved', 'system', 'Resolved: every step is done in the ERP.', {}, true);
    case 'exception':
      return make(
        'workflow.exception',
        'exception',
        'system',
        `Needs a person: "${state.exception?.step ?? 'a step'}" failed (${state.exception?.error ?? 'unknown error'}). Nothing is retried until someone decides.`,
        state.exception ? { exception: state.exception } : {},
      );
    case 'abandoned': {
      const undone = state.compensation
        ? ` Return authorization ${state.returnAuthorization?.erpReference ?? state.compensation.erpReference} was cancelled in the ERP.`
        : state.compensationFailure
          ? ` The ERP refused to cancel return authorization ${state.returnAuthorization?.erpReference ?? ''} (${state.compensationFailure.Error ?? 'unknown error'}): cancel it by hand.`
          : '';
      return make(
        'workflow.completed',
        'abandoned',
        'person',
        `Abandoned after "${state.exception?.step ?? 'a step'}" failed; nothing further happens automatically.${undone}`,
        state.exception ? { exception: state.exception } : {},
      );
    }
  }
};
