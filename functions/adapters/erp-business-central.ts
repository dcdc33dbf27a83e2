import * as z from '../core/zod';
import type { ErpCommand, ErpCommandType } from '../core/canonical/erp-command';
import type { OrderStatusSnapshot } from '../core/canonical/order';
import { canonicalOrderStatus, DEFAULT_BUSINESS_CENTRAL_STATUS_MAP, unknownStatusReason, versionOfModifiedAt, type BusinessCentralStatusMap } from '../core/erp/business-central-orders';
import { OutOfStockError, PermanentError, ValidationError } from '../core/errors';
import type { ErpOrderPage, ErpPort, ErpReceipt, ErpRequestGate } from '../core/ports/erp';
import { callJson, type HttpAuthorization, type HttpCall, type HttpResult } from './http-client';

/** Business Central API v2.0 entity sets each command writes to. */
const ENTITY_SET: Record<ErpCommandType, string> = {
  'return-authorization.create': 'salesReturnOrders',
  'refund.issue': 'salesCreditMemos',
  'credit-memo.issue': 'salesCreditMemos',
  'replacement-order.create': 'salesOrders',
  'return-authorization.cancel': 'salesReturnOrders',
};

const CancelPayload = z.object({ returnCommandId: z.string().check(z.minLength(1)), returnReference: z.string().check(z.minLength(1)) });

export interface BusinessCentralOptions {
  /** e.g. https://api.businesscentral.dynamics.com/v2.0/{tenant}/{environment}/api/v2.0/companies({id}) */
  baseUrl: string;
  /** The Entra ID bearer token (`makeErpAuthorization`); none for an ERP that needs no credential (tests). */
  auth?: HttpAuthorization;
  timeoutMs?: number;
  /** How Business Central's `status` and `fullyShipped` read as canonical statuses (default: the documented values). */
  statusMap?: BusinessCentralStatusMap;
  /**
   * The ERP gate (`makeErpGate`): every request the adapter sends runs through it, one slot each, so a
   * read of several requests books several slots and a 401's retry books its own. None: requests go
   * straight out (tests, the simulator's own checks).
   */
  gate?: ErpRequestGate;
}

const Document = z.object({ id: z.string(), number: z.optional(z.string()), '@odata.etag': z.optional(z.string()) });
export const Collection = <T extends z.ZodMiniType>(item: T) => z.object({ value: z.array(item) });
/** API v2.0 `salesOrder`, the fields that say where the order stands (api-reference/v2.0/resources/dynamics_salesorder). */
export const SalesOrder = z.object({
  id: z.string(),
  number: z.string(),
  status: z.string(),
  fullyShipped: z._default(z.boolean(), false),
  lastModifiedDateTime: z.string(),
  '@odata.etag': z.optional(z.string()),
});
export type SalesOrder = z.infer<typeof SalesOrder>;
const SALES_ORDER_FIELDS = 'id,number,status,fullyShipped,lastModifiedDateTime';
const OrderPage = z.extend(Collection(SalesOrder), { '@odata.nextLink': z.optional(z.string()) });
/** Orders a listing page asks for: Business Central serves up to 20,000 entities a page; 1,000 keeps one page well inside the call timeout. */
const ORDER_PAGE_SIZE = 1000;
/** API v2.0 `salesInvoice`: what is left of an order shipped and invoiced in full. */
const SalesInvoice = z.object({ number: z.string(), orderNumber: z.optional(z.string()), lastModifiedDateTime: z.string() });
/** API v2.0 `item`: `inventory` is the quantity on hand over all locations. */
const Item = z.object({ number: z.string(), inventory: z.number() });

/** One sales order as the product reads it: its canonical snapshot, or why it cannot be read. */
export const snapshotOfSalesOrder = (order: SalesOrder, statusMap: BusinessCentralStatusMap = DEFAULT_BUSINESS_CENTRAL_STATUS_MAP): { snapshot: OrderStatusSnapshot } | { unreadable: string } => {
  const status = canonicalOrderStatus(order, statusMap);
  if (status === undefined) return { unreadable: unknownStatusReason(order) };
  const version = versionOfModifiedAt(order.lastModifiedDateTime);
  if (version === undefined) return { unreadable: `lastModifiedDateTime "${order.lastModifiedDateTime}" is not a time` };
  return { snapshot: { orderId: order.number, status, version, occurredAt: new Date(version).toISOString() } };
};

/** The order page cursor is the ERP's own next link; it travels through a queue, so it must point at this ERP. */
export const isOwnOrderPageCursor = (baseUrl: string, cursor: string) => cursor.startsWith(`${baseUrl.replace(/\/+$/, '')}/salesOrders?`);

/**
 * The URL of a changed sales order a Business Central notification names (`resource`, relative to the
 * API root or absolute): only `companies(<id>)/salesOrders(<id>)` of this ERP's company, so a forged
 * notification cannot point the product elsewhere.
 */
export const resourceUrlOf = (baseUrl: string, resource: string): string | undefined => {
  const base = baseUrl.replace(/\/+$/, '');
  const company = /\/(companies\([^)]+\))$/.exec(base)?.[1];
  if (/^[a-z][a-z0-9+.-]*:/i.test(resource) && !resource.startsWith(`${base}/`)) return undefined;
  const match = /(?:^|\/)(companies\([^)/]+\))\/salesOrders\(([0-9a-fA-F-]{36})\)$/.exec(resource);
  if (!match || company === undefined || match[1]!.toLowerCase() !== company.toLowerCase()) return undefined;
  return `${base}/salesOrders(${match[2]})`;
};

export const odataString = (value: string) => `'${value.replace(/'/g, "''")}'`;

/**
 * Business Central refuses what its application logic forbids with 400 `Application_DialogException`
 * and the error's text; an item short on inventory is told only by that text, which names the item.
 */
const INSUFFICIENT_INVENTORY = /insufficient quantity of Item (\S+?)\.? on inventory/i;

/** A refused replacement order for want of stock becomes an `OutOfStockError`; anything else stays as it is. */
const outOfStockOr = (command: ErpCommand, error: unknown): unknown => {
  if (command.type !== 'replacement-order.create' || !(error instanceof PermanentError)) return error;
  const message = (error.context.body as { error?: { message?: unknown } } | undefined)?.error?.message;
  const item = typeof message === 'string' ? INSUFFICIENT_INVENTORY.exec(message)?.[1] : undefined;
  return item === undefined ? error : new OutOfStockError(`The ERP has not enough stock of ${item} for replacement order ${command.commandId}: ${message}`, { ...error.context, sku: item });
};

/**
 * Sends one request to Business Central: with the credential, and through the ERP gate (`options.gate`),
 * which books one send slot for every request that leaves, a 401's retry included. Every request of
 * the Business Central adapters goes out here.
 */
export const makeBusinessCentralRequest = (options: BusinessCentralOptions) => (call: Omit<HttpCall, 'timeoutMs'>): Promise<HttpResult> =>
  callJson({ ...call, timeoutMs: options.timeoutMs, auth: options.auth, ...(options.gate ? { send: options.gate } : {}) });

/** Reads one Business Central resource and checks its shape; an unexpected shape is a permanent error. */
export const makeBusinessCentralGet = (options: BusinessCentralOptions) => {
  const base = options.baseUrl.replace(/\/+$/, '');
  const request = makeBusinessCentralRequest(options);
  const get = async <T extends z.ZodMiniType>(path: string, schema: T, extraHeaders: Record<string, string> = {}): Promise<z.infer<T>> => {
    const url = /^https?:\/\//.test(path) ? path : `${base}/${path}`;
    const { body } = await request({ method: 'GET', url, headers: extraHeaders });
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new PermanentError(`The ERP answered GET ${path} in an unexpected shape`, { body });
    return parsed.data;
  };
  return { base, get, request };
};

/**
 * ERP adapter following the Business Central API v2.0 shape. The command id is stored on the document
 * as `externalDocumentNumber` (and sent as `Idempotency-Key` for ERPs that honour it), so an earlier
 * attempt's effect can be found with `$filter` before creating anything again.
 */
export const makeBusinessCentralErp = (options: BusinessCentralOptions): ErpPort => {
  const { base, get, request } = makeBusinessCentralGet(options);
  const statusMap = options.statusMap ?? DEFAULT_BUSINESS_CENTRAL_STATUS_MAP;
  const readable = (order: SalesOrder) => {
    const read = snapshotOfSalesOrder(order, statusMap);
    if ('unreadable' in read) throw new PermanentError(`The ERP reports order ${order.number} in a state the product cannot read: ${read.unreadable}`);
    return read.snapshot;
  };
  /** An order gone from the open sales orders was shipped and invoiced in full: its invoice tells when. */
  const invoicedOrder = async (orderId: string): Promise<OrderStatusSnapshot | undefined> => {
    const invoices = await get(`salesInvoices?$filter=orderNumber eq ${encodeURIComponent(odataString(orderId))}&$select=number,orderNumber,lastModifiedDateTime`, Collection(SalesInvoice));
    const latest = invoices.value.map((invoice) => invoice.lastModifiedDateTime).sort().at(-1);
    const status = statusMap.invoiced;
    const version = latest === undefined ? undefined : versionOfModifiedAt(latest);
    return status === undefined || version === undefined ? undefined : { orderId, status, version, occurredAt: new Date(version).toISOString() };
  };
  const receipt = (document: z.infer<typeof Document>, replayed: boolean): ErpReceipt => ({ erpReference: document.number ?? document.id, replayed });

  /** The return order a cancellation concerns, found by the command id it was created under; absent once deleted. */
  const returnOrderOf = async (command: ErpCommand) => {
    const payload = CancelPayload.safeParse(command.payload);
    if (!payload.success) throw new ValidationError('A return-authorization.cancel command names the return by returnCommandId and returnReference', payload.error.issues.map((issue) => ({ path: `payload.${issue.path.join('.')}`, message: issue.message })));
    const found = await get(`salesReturnOrders?$filter=externalDocumentNumber eq ${encodeURIComponent(odataString(payload.data.returnCommandId))}`, Collection(Document));
    return { reference: payload.data.returnReference, document: found.value[0] };
  };

  /** Deletes an unposted return order (Business Central allows DELETE on an open sales return order); a gone one is done. */
  const cancelReturn = async (command: ErpCommand): Promise<ErpReceipt> => {
    const { reference, document } = await returnOrderOf(command);
    if (!document) return { erpReference: reference, replayed: true };
    // If-Match: a return order a person changed since it was read (received, posted) is not deleted; Business Central answers 412.
    await request({
      method: 'DELETE',
      url: `${base}/salesReturnOrders(${document.id})`,
      headers: { 'x-correlation-id': command.correlationId, 'if-match': document['@odata.etag'] ?? '*' },
    });
    return { erpReference: reference, replayed: false };
  };

  return {
    async ready() {
      // The token is cached (`makeErpAuthorization`): after the first call this answers at once.
      if (options.auth) await options.auth.header();
    },

    async findEffect(command: ErpCommand) {
      if (command.type === 'return-authorization.cancel') {
        const { reference, document } = await returnOrderOf(command);
        return document ? undefined : { erpReference: reference, replayed: true };
      }
      const found = await get(`${ENTITY_SET[command.type]}?$filter=externalDocumentNumber eq ${encodeURIComponent(odataString(command.commandId))}`, Collection(Document));
      return found.value[0] ? receipt(found.value[0], true) : undefined;
    },

    async create(command: ErpCommand) {
      if (command.type === 'return-authorization.cancel') return cancelReturn(command);
      const { status, body } = await request({
        method: 'POST',
        url: `${base}/${ENTITY_SET[command.type]}`,
        headers: { 'idempotency-key': command.commandId, 'x-correlation-id': command.correlationId },
        body: { ...command.payload, externalDocumentNumber: command.commandId, orderNumber: command.orderId },
      }).catch((error: unknown) => {
        throw outOfStockOr(command, error);
      });
      const created = Document.safeParse(body);
      if (!created.success) throw new PermanentError('The ERP accepted the command but answered in an unexpected shape', { body });
      return receipt(created.data, status === 200);
    },

    async getOrder(orderId) {
      const found = await get(`salesOrders?$filter=number eq ${encodeURIComponent(odataString(orderId))}&$select=${SALES_ORDER_FIELDS}`, Collection(SalesOrder));
      const order = found.value[0];
      return order ? readable(order) : undefined;
    },

    getInvoicedOrder: invoicedOrder,

    async getOrderByResource(resource) {
      const url = resourceUrlOf(base, resource);
      if (url === undefined) throw new ValidationError('The changed resource is not a sales order of this ERP', [{ path: 'resource', message: resource.slice(0, 200) }]);
      const order = await get(`${url}?$select=${SALES_ORDER_FIELDS}`, SalesOrder).catch((error: unknown) => {
        // A deleted order (cancelled, or shipped and invoiced in full) answers 404.
        if (error instanceof PermanentError && error.context.status === 404) return undefined;
        throw error;
      });
      return order ? readable(order) : undefined;
    },

    async listOrdersChanged({ since, until }, cursor) {
      if (cursor !== undefined && !isOwnOrderPageCursor(base, cursor)) throw new ValidationError('The order page cursor does not point at this ERP', [{ path: 'cursor', message: cursor.slice(0, 200) }]);
      const filter = `lastModifiedDateTime ge ${since.toISOString()} and lastModifiedDateTime le ${until.toISOString()}`;
      const first = `salesOrders?$filter=${encodeURIComponent(filter)}&$orderby=lastModifiedDateTime&$select=${SALES_ORDER_FIELDS}`;
      // Server-driven paging: Business Central honours odata.maxpagesize and answers with @odata.nextLink.
      const page = await get(cursor ?? first, OrderPage, { prefer: `odata.maxpagesize=${ORDER_PAGE_SIZE}` });
      const result: ErpOrderPage = { orders: [], unreadable: [], ...(page['@odata.nextLink'] ? { nextCursor: page['@odata.nextLink'] } : {}) };
      for (const order of page.value) {
        const read = snapshotOfSalesOrder(order, statusMap);
        if ('snapshot' in read) result.orders.push(read.snapshot);
        else result.unreadable.push({ orderId: order.number, reason: read.unreadable });
      }
      return result;
    },

    async getInventory(sku) {
      // API v2.0 has no stock per location: `item.inventory` is the quantity on hand in all of them.
      const found = await get(`items?$filter=number eq ${encodeURIComponent(odataString(sku))}&$select=number,inventory`, Collection(Item));
      return found.value.map((item) => ({ sku, location: '', available: item.inventory }));
    },
  };
};
