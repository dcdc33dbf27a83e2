import * as z from '../zod';
import { OrderStatus } from '../canonical/order';

/**
 * What Business Central API v2.0 says about a sales order's progress: `status` is documented as
 * `Draft`, `In Review` or `Open`, and `fullyShipped` tells when every line has shipped. Shipping and
 * invoicing are posted as separate documents (`salesShipments`, `salesInvoices`); an order shipped and
 * invoiced in full is deleted from the open sales orders, and only its invoice remains.
 */
export interface BusinessCentralOrderFacts {
  status: string;
  fullyShipped: boolean;
}

/**
 * How Business Central's order facts read as canonical statuses. Keys are a `status` value, or
 * `<status>+fullyShipped` for an order of that status whose lines have all shipped (checked first), or
 * `invoiced` for an order only an invoice is left of. A retailer whose Business Central has an
 * extension adding statuses (for example `Released`) adds them here through the stage setting
 * `erpOrderStatusMap`; a status the map does not name is reported as unreadable, never guessed.
 */
export const BusinessCentralStatusMap = z.record(z.string().check(z.minLength(1), z.maxLength(64)), OrderStatus);
export type BusinessCentralStatusMap = z.infer<typeof BusinessCentralStatusMap>;

/** The documented values only. */
export const DEFAULT_BUSINESS_CENTRAL_STATUS_MAP: BusinessCentralStatusMap = {
  Draft: 'pending_review',
  'In Review': 'pending_review',
  Open: 'confirmed',
  'Open+fullyShipped': 'shipped',
  invoiced: 'shipped',
};

/** The key of the map an order answers to when it has shipped in full. */
const shippedKey = (status: string) => `${status}+fullyShipped`;

/** The canonical status of an order, or undefined when the map does not know its facts. */
export const canonicalOrderStatus = (facts: BusinessCentralOrderFacts, map: BusinessCentralStatusMap = DEFAULT_BUSINESS_CENTRAL_STATUS_MAP): OrderStatus | undefined =>
  (facts.fullyShipped ? map[shippedKey(facts.status)] : undefined) ?? map[facts.status];

/** Why an order's facts are not readable, for the operator who extends the map. */
export const unknownStatusReason = (facts: BusinessCentralOrderFacts) =>
  `status "${facts.status}"${facts.fullyShipped ? ' (fully shipped)' : ''} is not in the ERP status map (stage setting erpOrderStatusMap)`;

/**
 * Business Central keeps no version number on a sales order: its `lastModifiedDateTime` grows with
 * every change, so its milliseconds since the epoch are the order's version (a positive integer that
 * orders changes, as every consumer's version guard needs). Undefined for a time that cannot be read.
 */
export const versionOfModifiedAt = (lastModifiedDateTime: string): number | undefined => {
  const ms = Date.parse(lastModifiedDateTime);
  return Number.isSafeInteger(ms) && ms > 0 ? ms : undefined;
};

/** The map a stage configures, checked as a whole; the default when none is configured. */
export const statusMapFrom = (json: string | undefined): BusinessCentralStatusMap => {
  if (json === undefined || json === '') return DEFAULT_BUSINESS_CENTRAL_STATUS_MAP;
  const parsed = BusinessCentralStatusMap.safeParse(JSON.parse(json));
  if (!parsed.success) throw new Error(`The ERP status map is invalid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  return parsed.data;
};
