import * as z from '../zod';
import type { OrderStatus } from '../canonical/order';

/**
 * Business rules of a refund-or-replacement request: eligibility, the return window, refund versus
 * replacement, who pays the return shipping, and when the money goes back. One policy per region or
 * brand (`config/policies/<name>.json`), all behind the same API contract; this module is the only
 * place these rules live.
 */

export const ResolutionReason = z.enum(['damaged', 'defective', 'wrong-item', 'not-as-described', 'missing-parts', 'changed-mind', 'lost-in-transit']);
export type ResolutionReason = z.infer<typeof ResolutionReason>;

const ReasonRule = z.strictObject({
  /** Days after delivery (or shipment, when the delivery date is unknown) in which the reason is accepted. */
  windowDays: z.number().check(z.int(), z.positive(), z.lte(365)),
  replacementAllowed: z.boolean(),
  /** The customer sends the item back before the money or the replacement leaves (false: keep it, e.g. broken glass). */
  returnRequired: z.boolean(),
  shippingPaidBy: z.enum(['retailer', 'customer']),
});

export const ResolutionPolicy = z.strictObject({
  name: z.string().check(z.regex(/^[a-z0-9-]{1,40}$/, 'lower-case letters, digits and dashes')),
  /**
   * Which orders it governs: `regions` are ship-to countries as the ERP gives them (ISO 3166 alpha-2,
   * Business Central's `shipToCountry`), `brands` the order's brand. The most specific matching policy wins.
   */
  appliesTo: z.strictObject({ regions: z.optional(z.array(z.string().check(z.minLength(1)))), brands: z.optional(z.array(z.string().check(z.minLength(1)))) }),
  reasons: z.partialRecord(ResolutionReason, ReasonRule),
  /** `refund` pays back through the original payment; `credit-memo` issues store credit in the ERP. */
  refundMethod: z.enum(['refund', 'credit-memo']),
  /** Refund when the return authorization exists, or only once the 3PL has received the return. */
  refundOn: z.enum(['authorization', 'receipt']),
  /** How long a workflow waits for a return to arrive before it becomes an exception for a person. */
  returnArrivalDays: z.number().check(z.int(), z.positive(), z.lte(180)),
  /** SLA of each resolution, from request to money returned or replacement created. */
  slaHours: z.strictObject({ refund: z.number().check(z.positive()), replacement: z.number().check(z.positive()) }),
  /**
   * What a delivery exception from the 3PL (`shipment.exception`) starts once its case is opened:
   * nothing, or a replacement or refund of the shipment's lines (reason `lost-in-transit`).
   */
  onShipmentException: z._default(z.enum(['none', 'replacement', 'refund']), 'none'),
});
export type ResolutionPolicy = z.infer<typeof ResolutionPolicy>;

/** Selects the policy governing an order; a policy with no `appliesTo` keys governs every order. */
export const policyFor = (policies: readonly ResolutionPolicy[], order: { region?: string; brand?: string }): ResolutionPolicy => {
  const matches = (values: string[] | undefined, value: string | undefined) => values === undefined || (value !== undefined && values.includes(value));
  const policy = policies.find(({ appliesTo }) => matches(appliesTo.regions, order.region) && matches(appliesTo.brands, order.brand));
  if (!policy) throw new Error(`No resolution policy applies to region ${order.region ?? '(none)'} and brand ${order.brand ?? '(none)'}: add a general policy last.`);
  return policy;
};

/** What the ERP says about the order, as far as a resolution is concerned. */
export interface OrderForResolution {
  orderId: string;
  status: OrderStatus;
  region?: string;
  brand?: string;
  shippedAt?: string;
  deliveredAt?: string;
  currency?: string;
  lines: Array<{
    lineId: string;
    sku?: string;
    quantity: number;
    shippedQuantity: number;
    /** Quantity of this line already returned, refunded or replaced. */
    resolvedQuantity: number;
    unitPrice?: string;
  }>;
}

export interface RequestedLine {
  lineId?: string;
  sku?: string;
  quantity: number;
  reason: ResolutionReason;
}

export interface ResolutionRequest {
  lines: RequestedLine[];
  preferred: 'replacement' | 'refund';
}

export type IneligibleCode =
  | 'order-not-found'
  | 'order-not-shipped'
  | 'line-not-found'
  | 'line-not-shipped'
  | 'quantity-exceeds-shipped'
  | 'already-resolved'
  | 'outside-return-window'
  | 'reason-not-accepted';

export interface ResolvedLine {
  lineId: string;
  sku?: string;
  quantity: number;
  reason: ResolutionReason;
  unitPrice?: string;
}

export type EligibilityDecision =
  | {
      eligible: true;
      lines: ResolvedLine[];
      /** Replacement only when asked for and every line's reason allows it; otherwise a refund. */
      resolution: 'replacement' | 'refund';
      refundMethod: ResolutionPolicy['refundMethod'];
      /** `receipt` when any line must come back first and the policy refunds on receipt. */
      refundOn: 'authorization' | 'receipt';
      returnRequired: boolean;
      shippingPaidBy: 'retailer' | 'customer';
      /** Sum of the lines' unit prices times quantities, when every line has a price. */
      refundAmount?: { amount: string; currency: string };
      returnArrivalSeconds: number;
      slaSeconds: number;
      policy: string;
      /** The order's region and brand as the ERP gave them (what chose the policy), for filtering workflows by them. */
      region?: string;
      brand?: string;
    }
  | { eligible: false; reasons: Array<{ code: IneligibleCode; detail: string }>; policy: string };

const DAY_MS = 24 * 60 * 60 * 1000;

/** Decimal strings summed in minor units (never floats), for two-decimal currencies. */
const sumPrices = (lines: ResolvedLine[]): string | undefined => {
  if (lines.some((line) => line.unitPrice === undefined)) return undefined;
  const cents = lines.reduce((total, line) => total + Math.round(Number(line.unitPrice) * 100) * line.quantity, 0);
  return (cents / 100).toFixed(2);
};

/**
 * Decides whether a refund-or-replacement request is eligible under a policy, and how it is resolved.
 * Every problem is reported (not only the first), so the case can tell the agent all that is wrong.
 */
export const decideEligibility = (policy: ResolutionPolicy, order: OrderForResolution, request: ResolutionRequest, now: Date): EligibilityDecision => {
  const reasons: Array<{ code: IneligibleCode; detail: string }> = [];
  if (!['shipped', 'delivered', 'returned'].includes(order.status)) {
    reasons.push({ code: 'order-not-shipped', detail: `Order ${order.orderId} is ${order.status} in the ERP; only shipped orders can be refunded or replaced.` });
  }
  const since = order.deliveredAt ?? order.shippedAt;
  const resolved: ResolvedLine[] = [];
  // Several requested lines may name the same order line: count them together.
  const requestedByLine = new Map<string, number>();
  for (const requested of request.lines) {
    const line = order.lines.find((candidate) => (requested.lineId ? candidate.lineId === requested.lineId : candidate.sku === requested.sku));
    const label = requested.lineId ? `line ${requested.lineId}` : `SKU ${requested.sku}`;
    if (!line) {
      reasons.push({ code: 'line-not-found', detail: `Order ${order.orderId} has no ${label}.` });
      continue;
    }
    const rule = policy.reasons[requested.reason];
    if (!rule) {
      reasons.push({ code: 'reason-not-accepted', detail: `Policy ${policy.name} does not accept "${requested.reason}" for ${label}.` });
      continue;
    }
    const total = (requestedByLine.get(line.lineId) ?? 0) + requested.quantity;
    requestedByLine.set(line.lineId, total);
    if (line.shippedQuantity === 0) reasons.push({ code: 'line-not-shipped', detail: `${label} has not shipped yet.` });
    else if (total > line.quantity) reasons.push({ code: 'quantity-exceeds-shipped', detail: `${label}: ${total} requested, ${line.quantity} bought.` });
    else if (total > line.shippedQuantity) reasons.push({ code: 'quantity-exceeds-shipped', detail: `${label}: ${total} requested, ${line.shippedQuantity} shipped.` });
    else if (total + line.resolvedQuantity > line.shippedQuantity) {
      reasons.push({ code: 'already-resolved', detail: `${label}: ${line.resolvedQuantity} of ${line.shippedQuantity} already returned, refunded or replaced.` });
    }
    if (since && now.getTime() > Date.parse(since) + rule.windowDays * DAY_MS) {
      reasons.push({ code: 'outside-return-window', detail: `${label}: "${requested.reason}" is accepted for ${rule.windowDays} days after ${order.deliveredAt ? 'delivery' : 'shipment'} (${since}).` });
    }
    resolved.push({ lineId: line.lineId, ...(line.sku ? { sku: line.sku } : {}), quantity: requested.quantity, reason: requested.reason, ...(line.unitPrice ? { unitPrice: line.unitPrice } : {}) });
  }
  if (reasons.length > 0) return { eligible: false, reasons, policy: policy.name };

  const rules = resolved.map((line) => policy.reasons[line.reason]!);
  const replacementAllowed = rules.every((rule) => rule.replacementAllowed);
  const resolution = request.preferred === 'replacement' && replacementAllowed ? 'replacement' : 'refund';
  const returnRequired = rules.some((rule) => rule.returnRequired);
  const amount = sumPrices(resolved);
  return {
    eligible: true,
    lines: resolved,
    resolution,
    refundMethod: policy.refundMethod,
    refundOn: returnRequired && policy.refundOn === 'receipt' ? 'receipt' : 'authorization',
    returnRequired,
    // The retailer pays when any line is its fault.
    shippingPaidBy: rules.some((rule) => rule.shippingPaidBy === 'retailer') ? 'retailer' : 'customer',
    ...(amount !== undefined && order.currency ? { refundAmount: { amount, currency: order.currency } } : {}),
    returnArrivalSeconds: policy.returnArrivalDays * 24 * 60 * 60,
    slaSeconds: Math.round(policy.slaHours[resolution] * 60 * 60),
    policy: policy.name,
    ...(order.region ? { region: order.region } : {}),
    ...(order.brand ? { brand: order.brand } : {}),
  };
};

/**
 * Validates the policy files (`config/policies/<name>.json`) and orders them for `policyFor`: the most
 * specific first, the one general policy last. Every problem is one line naming the file.
 */
export const parsePolicies = (files: ReadonlyArray<{ file: string; content: unknown }>): ResolutionPolicy[] => {
  const problems: string[] = [];
  const policies: ResolutionPolicy[] = [];
  for (const { file, content } of files) {
    const parsed = ResolutionPolicy.safeParse(content);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
      continue;
    }
    if (`${parsed.data.name}.json` !== file.split('/').pop()) problems.push(`${file}: name "${parsed.data.name}" must match the file name`);
    policies.push(parsed.data);
  }
  const general = policies.filter(({ appliesTo }) => !appliesTo.regions && !appliesTo.brands);
  if (general.length !== 1) problems.push(`config/policies: exactly one policy must apply to every order (empty "appliesTo"); found ${general.length}`);
  if (problems.length > 0) throw new Error(`Invalid resolution policies:\n${problems.join('\n')}`);
  const specificity = ({ appliesTo }: ResolutionPolicy) => (appliesTo.regions ? 1 : 0) + (appliesTo.brands ? 1 : 0);
  return [...policies].sort((a, b) => specificity(b) - specificity(a) || a.name.localeCompare(b.name));
};
