import type * as z from '../zod';
import type { CanonicalEvents } from '../canonical/events';
import type { OrderCases } from '../ports/service-desk';
import type { CaseMilestones, ErpResolutionReads, WorkflowStarter } from '../ports/workflow-tasks';
import { ResolutionRequestBody, workflowIdFor } from './refund-or-replacement';
import { policyFor, type ResolutionPolicy } from './resolution-policy';

export type ShipmentExceptionDetail = z.infer<(typeof CanonicalEvents)['shipment.exception']>;
export type ResolutionRequestedDetail = z.infer<(typeof CanonicalEvents)['case.resolution.requested']>;

/** Who asked, on the workflow's first milestone, when the product itself starts a resolution. */
export const SHIPMENT_EXCEPTION_REQUESTER = 'system:shipment-exception';

/**
 * Starts the refund-or-replacement workflow of a request, under the same deterministic workflow id as
 * `POST /v1/cases/{caseId}/resolutions`: whether it comes from the API, a service-desk trigger or an
 * order exception, and however often, one request is one workflow.
 */
const startResolution = async (starter: WorkflowStarter, caseId: string, body: ResolutionRequestBody, correlationId: string, requestedAt: string) => {
  const workflowId = workflowIdFor(caseId, body);
  const outcome = await starter.startRefundOrReplacement({ workflowId, request: { ...body, caseId, correlationId, requestedAt } });
  return { workflowId, started: outcome === 'started' };
};

/** `case.resolution.requested` (a service-desk trigger): the same workflow the API would start. */
export const makeCaseResolutions = ({ starter }: { starter: WorkflowStarter }) =>
  async (detail: ResolutionRequestedDetail) => {
    const { caseId, orderId, lines, preferred, requestedBy, occurredAt } = detail.data;
    // Validated at the edge already; parsed again so the workflow gets exactly the API's request shape.
    const body = ResolutionRequestBody.parse({ orderId, lines, preferred, requestedBy });
    return startResolution(starter, caseId, body, detail.correlationId, occurredAt);
  };

export interface OrderExceptionDependencies {
  erp: ErpResolutionReads;
  cases: OrderCases;
  milestones: CaseMilestones;
  starter: WorkflowStarter;
  /** Ordered by `parsePolicies`. */
  policies: readonly ResolutionPolicy[];
}

export interface OrderExceptionOutcome {
  caseId: string;
  caseCreated: boolean;
  /** What the policy started: a workflow, or nothing and why. */
  resolution: { workflowId: string; started: boolean } | { none: string };
}

/**
 * A delivery exception from the 3PL (`shipment.exception`): the order's case is opened (or found) and
 * told what happened with the ERP's authoritative status of the order, then the resolution the order's
 * policy names (`onShipmentException`) starts for the shipment's lines, as if an agent had asked for it.
 * Safe to run again for the same event: the case is found, the note is posted once (keyed by the event),
 * and the workflow id is the same.
 */
export const makeOrderExceptions = ({ erp, cases, milestones, starter, policies }: OrderExceptionDependencies) =>
  async (detail: ShipmentExceptionDetail): Promise<OrderExceptionOutcome> => {
    const shipment = detail.data;
    const order = await erp.orderForResolution(shipment.orderId);
    const erpSays = order ? `The ERP shows order ${shipment.orderId} as ${order.status}.` : `The ERP has no order ${shipment.orderId}.`;
    const note = `Delivery exception on shipment ${shipment.shipmentId}${shipment.carrier ? ` (${shipment.carrier})` : ''}: ${shipment.exception ?? 'no reason given by the warehouse'}. ${erpSays}`;
    // A neutral first comment: the exception itself is posted once, under its key, whether the case is new or not.
    const { caseId, created } = await cases.openCaseForOrder(shipment.orderId, `Delivery exception on order ${shipment.orderId}`, `Opened by retail-sync for a delivery exception on order ${shipment.orderId}.`);
    await milestones.post(caseId, `shipment-exception:${detail.eventId}`, note, { solve: false });
    if (!order) return { caseId, caseCreated: created, resolution: { none: `the ERP has no order ${shipment.orderId}` } };

    const policy = policyFor(policies, order);
    if (policy.onShipmentException === 'none') return { caseId, caseCreated: created, resolution: { none: `policy ${policy.name} starts nothing on a delivery exception` } };
    // The shipment's own lines; a warehouse that names none leaves the whole shipped order in question.
    const shipped = shipment.lines.filter((line) => line.sku && line.quantity > 0).map((line) => ({ sku: line.sku!, quantity: line.quantity }));
    const lines = shipped.length > 0 ? shipped : order.lines.filter((line) => line.shippedQuantity > 0).map((line) => ({ lineId: line.lineId, quantity: line.shippedQuantity }));
    if (lines.length === 0) return { caseId, caseCreated: created, resolution: { none: `order ${shipment.orderId} has no shipped line` } };
    const body: ResolutionRequestBody = {
      orderId: shipment.orderId,
      lines: lines.map((line) => ({ ...line, reason: 'lost-in-transit' as const })),
      preferred: policy.onShipmentException,
      requestedBy: SHIPMENT_EXCEPTION_REQUESTER,
    };
    return { caseId, caseCreated: created, resolution: await startResolution(starter, caseId, body, detail.correlationId, shipment.occurredAt) };
  };
