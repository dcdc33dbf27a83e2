import * as z from '../zod';
import { Money } from './model';

/** The product's workflows (AWS Step Functions state machines, `workflows/<name>.asl.json`). */
export const WorkflowKind = z.enum(['refund-or-replacement']);

/** The steps a workflow reports to the case, in the order a case can show them. */
export const Milestone = z.enum([
  'received',
  'eligibility-confirmed',
  'rejected',
  'return-authorized',
  'replacement-created',
  'replacement-unavailable',
  'awaiting-return',
  'return-received',
  'refund-issued',
  'resolved',
  'exception',
  'abandoned',
]);
export type Milestone = z.infer<typeof Milestone>;

/** Where a workflow stands after a milestone. */
export const WorkflowState = z.enum(['running', 'waiting-for-return', 'exception', 'resolved', 'rejected', 'abandoned']);
export type WorkflowState = z.infer<typeof WorkflowState>;

/** Who caused the transition: the agent who asked, the product, the ERP, the 3PL, or a person handling an exception. */
export const WorkflowActor = z.enum(['agent', 'system', 'erp', '3pl', 'person']);

export const ErpDocumentType = z.enum(['return-authorization', 'replacement-order', 'refund', 'credit-memo']);

/** One transition of one workflow: what the case is told, the audit trail records and finance and support leaders count. */
export const WorkflowTransition = z.object({
  workflowId: z.string().check(z.minLength(1), z.maxLength(80)),
  workflow: WorkflowKind,
  caseId: z.string().check(z.minLength(1), z.maxLength(128)),
  orderId: z.string().check(z.minLength(1), z.maxLength(128)),
  milestone: Milestone,
  state: WorkflowState,
  actor: WorkflowActor,
  /** One sentence a person can read: what happened and why. */
  cause: z.string().check(z.minLength(1), z.maxLength(1000)),
  occurredAt: z.iso.datetime({ offset: true }),
  resolution: z.optional(z.enum(['replacement', 'refund'])),
  erpDocument: z.optional(z.object({ type: ErpDocumentType, reference: z.string().check(z.minLength(1)) })),
  amount: z.optional(Money),
  rejection: z.optional(z.array(z.object({ code: z.string(), detail: z.string() }))),
  exception: z.optional(z.object({ step: z.string(), error: z.string(), cause: z.optional(z.string()) })),
  /** When the resolution must be done by, under its policy's SLA (set once eligibility is decided). */
  slaDueAt: z.optional(z.iso.datetime({ offset: true })),
  /** The order's region and brand, as the ERP gave them when eligibility was decided (what chose the policy). */
  region: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  brand: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
});
export type WorkflowTransition = z.infer<typeof WorkflowTransition>;
