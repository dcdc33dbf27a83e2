import { z } from 'zod';
import { OrderStatus } from '../canonical/order';
import { ErpDocumentType, Milestone, WorkflowActor, WorkflowKind, WorkflowState } from '../canonical/workflow';
import type { WorkflowHistoryEntry, WorkflowSummary } from '../ports/workflow-tasks';
import { PROBLEM_CATALOGUE, PROBLEM_KINDS, problemType, type ProblemKind } from '../problem-catalogue';
import type { InventoryView, TimelineEntry } from '../read-models';
import type { OrderSyncView } from '../sync-state';

/**
 * The bodies the HTTP API answers, as zod schemas: the OpenAPI document is generated from them, and the
 * contract test validates real handler responses against them. The types the handlers build
 * (`OrderSyncView`, `InventoryView`, …) must stay assignable both ways (checked at the end of this file
 * by the type-checker), so a field added to a view without its schema fails `npm run build`.
 */

const Timestamp = z.string().meta({ format: 'date-time' });

/** The catalogue as a schema: one `const` per stable `type` URI, with its title and meaning. */
export const ProblemType = z
  .union(PROBLEM_KINDS.map((kind) => z.literal(problemType(kind)).meta({ title: PROBLEM_CATALOGUE[kind].title, description: PROBLEM_CATALOGUE[kind].description })))
  .meta({ id: 'ProblemType', description: 'The stable problem types (RFC 9457 `type`) the API answers; clients branch on these, never on `title` or `detail`.' });

export const FieldIssue = z.object({ path: z.string(), message: z.string() }).meta({ id: 'FieldIssue' });

export const Problem = z
  .object({
    type: ProblemType,
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string().meta({ description: 'What went wrong, in words a person can act on.' }),
    instance: z.string().optional().meta({ description: 'The request path (set when a function answers).' }),
    errors: z.array(FieldIssue).optional().meta({ description: 'Each field that failed validation (on a 400 `validation`).' }),
  })
  .meta({ id: 'Problem', description: 'application/problem+json (RFC 9457)' });

/** A problem narrowed to the types one response can carry. */
export const problemOf = (kinds: readonly ProblemKind[]) =>
  z.intersection(Problem, z.object({ type: z.enum(kinds.map(problemType) as [string, ...string[]]) }).loose());

export const WebhookAccepted = z
  .object({
    eventId: z.string().meta({ description: 'The first canonical event of the delivery (the same on every redelivery).' }),
    duplicate: z.boolean().meta({ description: 'true when this delivery id was accepted before: nothing was published again.' }),
    mapped: z.literal(false).optional().meta({ description: 'Present (false) when the type is verified but not mapped yet: kept on the bus as `webhook.unmapped`.' }),
  })
  .meta({ id: 'WebhookAccepted' });

export const OrderSync = z
  .object({
    orderId: z.string(),
    erp: z.object({ status: OrderStatus, version: z.number().int().positive(), updatedAt: Timestamp }).nullable(),
    serviceDesk: z
      .object({
        status: OrderStatus,
        version: z.number().int().positive(),
        updatedAt: Timestamp,
        verified: z.boolean(),
        verifiedAt: Timestamp.nullable(),
        caseIds: z.array(z.string()),
      })
      .nullable(),
    inSync: z.boolean(),
  })
  .meta({ id: 'OrderSync' });

export const TimelineEntrySchema = z
  .object({
    eventId: z.string(),
    type: z.string(),
    occurredAt: Timestamp,
    system: z.string(),
    summary: z.string(),
    orderId: z.string().optional(),
    caseId: z.string().optional(),
    entityId: z.string(),
  })
  .meta({ id: 'TimelineEntry' });

export const CustomerTimeline = z
  .object({
    customerId: z.string().meta({ description: '`email:<address>` or `<system>:<id>`: the key the timeline is kept under.' }),
    entries: z.array(TimelineEntrySchema),
    nextCursor: z.string().optional(),
  })
  .meta({ id: 'CustomerTimeline' });

export const Inventory = z
  .object({
    sku: z.string(),
    totalAvailable: z.number(),
    locations: z.array(
      z.object({
        location: z.string(),
        available: z.number(),
        onHand: z.number().optional(),
        asOf: Timestamp,
        source: z.string(),
        ageSeconds: z.number().int().nonnegative(),
        stale: z.boolean(),
      }),
    ),
    asOf: Timestamp,
    stale: z.boolean(),
  })
  .meta({ id: 'Inventory' });

export const ResolutionStarted = z
  .object({
    workflowId: z.string(),
    statusUrl: z.string().meta({ description: 'Where to follow the workflow: `/v1/workflows/{workflowId}`.' }),
    started: z.boolean().meta({ description: 'false when the same request started the workflow before.' }),
  })
  .meta({ id: 'ResolutionStarted' });

const ErpDocument = z.object({ type: ErpDocumentType, reference: z.string() });

export const WorkflowStatus = z
  .object({
    workflowId: z.string(),
    workflow: WorkflowKind,
    caseId: z.string(),
    orderId: z.string(),
    state: WorkflowState,
    milestone: Milestone,
    startedAt: Timestamp,
    updatedAt: Timestamp,
    resolution: z.enum(['replacement', 'refund']).optional(),
    erpDocuments: z.array(ErpDocument),
    exception: z.object({ step: z.string(), error: z.string(), cause: z.string().optional() }).optional(),
    slaDueAt: Timestamp.optional(),
    slaBreachedAt: Timestamp.optional(),
    region: z.string().optional().meta({ description: "The order's region as the ERP gave it when eligibility was decided." }),
    brand: z.string().optional().meta({ description: "The order's brand as the ERP gave it when eligibility was decided." }),
    history: z.array(
      z.object({ at: Timestamp, milestone: Milestone, state: WorkflowState, actor: WorkflowActor, cause: z.string(), erpDocument: ErpDocument.optional() }),
    ),
  })
  .meta({ id: 'WorkflowStatus' });

export const Health = z
  .object({ status: z.literal('ok'), service: z.literal('retail-sync'), stage: z.string(), version: z.string() })
  .meta({ id: 'Health' });

/** The OpenAPI document itself (its own schema is OpenAPI 3.1's). */
export const OpenApiDocument = z.object({ openapi: z.string() }).loose().meta({ id: 'OpenApiDocument' });

/** The Business Central subscription handshake: the `validationToken` echoed as text. */
export const HandshakeToken = z.string().meta({ description: 'The validationToken, echoed.' });

// The views the handlers build and their schemas, kept assignable both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
export type ContractTypesHold = [
  Holds<Same<OrderSyncView, z.infer<typeof OrderSync>>>,
  Holds<Same<TimelineEntry, z.infer<typeof TimelineEntrySchema>>>,
  Holds<Same<InventoryView, z.infer<typeof Inventory>>>,
  Holds<Same<WorkflowSummary & { history: WorkflowHistoryEntry[] }, z.infer<typeof WorkflowStatus>>>,
];
