import * as z from '../core/zod';
import { PermanentError } from '../core/errors';
import { canonicalOrderStatus, DEFAULT_BUSINESS_CENTRAL_STATUS_MAP, unknownStatusReason } from '../core/erp/business-central-orders';
import type { ErpResolutionReads } from '../core/ports/workflow-tasks';
import type { OrderForResolution } from '../core/workflows/resolution-policy';
import { Collection, makeBusinessCentralErp, makeBusinessCentralGet, odataString, type BusinessCentralOptions } from './erp-business-central';

/** Business Central writes an empty date as the first day of year 1. */
const date = z.pipe(z.optional(z
  .string()), z.transform((value) => (value && !value.startsWith('0001-01-01') ? value : undefined)));

/** API v2.0 `salesOrderLine`, the fields a resolution needs. */
const SalesOrderLine = z.object({
  sequence: z.number(),
  lineType: z.string(),
  lineObjectNumber: z.optional(z.string()),
  quantity: z.number(),
  shippedQuantity: z._default(z.number(), 0),
  unitPrice: z.optional(z.number()),
  shipmentDate: date,
});

/** API v2.0 `salesOrder` with `$expand=salesOrderLines`. */
const SalesOrderWithLines = z.object({
  number: z.string(),
  status: z.string(),
  fullyShipped: z._default(z.boolean(), false),
  currencyCode: z.optional(z.string()),
  shipToCountry: z.optional(z.string()),
  shipmentDate: date,
  salesOrderLines: z._default(z.array(SalesOrderLine), []),
});

const DocumentLine = z.object({ lineType: z.optional(z.string()), lineObjectNumber: z.optional(z.string()), quantity: z.number() });

/** Documents the product creates for an order, and the navigation property of their lines. */
const RESOLVING_DOCUMENTS = [
  ['salesReturnOrders', 'salesReturnOrderLines'],
  ['salesCreditMemos', 'salesCreditMemoLines'],
  // Replacement orders: sales orders the product created for the original order.
  ['salesOrders', 'salesOrderLines'],
] as const;

const isItem = (line: { lineType?: string }) => line.lineType === 'Item';

/**
 * The workflow a document belongs to. Workflows name their ERP commands `<workflowId>.<step>`, so one
 * workflow's return authorization and its refund (or replacement) resolve the same units once; a
 * document named otherwise (entered by a person) counts on its own.
 */
const resolutionOf = (externalDocumentNumber: string | undefined, id: string) => {
  const dot = externalDocumentNumber?.lastIndexOf('.') ?? -1;
  return dot > 0 ? externalDocumentNumber!.slice(0, dot) : `document:${id}`;
};

/**
 * Quantity per SKU already resolved for an order: within one resolution the largest quantity any of its
 * documents names, summed over resolutions.
 */
const resolvedBySku = (documents: Array<{ resolution: string; lines: Array<z.infer<typeof DocumentLine>> }>) => {
  const perResolution = new Map<string, Map<string, number>>();
  for (const { resolution, lines } of documents) {
    const quantities = perResolution.get(resolution) ?? new Map<string, number>();
    const inDocument = new Map<string, number>();
    for (const line of lines.filter(isItem)) if (line.lineObjectNumber) inDocument.set(line.lineObjectNumber, (inDocument.get(line.lineObjectNumber) ?? 0) + line.quantity);
    for (const [sku, quantity] of inDocument) quantities.set(sku, Math.max(quantities.get(sku) ?? 0, quantity));
    perResolution.set(resolution, quantities);
  }
  const total = new Map<string, number>();
  for (const quantities of perResolution.values()) for (const [sku, quantity] of quantities) total.set(sku, (total.get(sku) ?? 0) + quantity);
  return total;
};

/**
 * ERP reads of the refund-or-replacement workflow from Business Central API v2.0: the order with its
 * lines (`$expand=salesOrderLines`), what is already resolved per line (return orders, credit memos and
 * replacement orders created for the order), and stock. Give it the ERP gate (`options.gate`): the order
 * read sends four requests (the order, then its return orders, credit memos and replacement orders at
 * once) and books four slots.
 *
 * @example
 * const reads = makeBusinessCentralResolutionReads({ baseUrl, gate: makeErpGate({ coordination, priority: 'customer' }) });
 * const order = await reads.orderForResolution('SO-1001');
 */
export const makeBusinessCentralResolutionReads = (options: BusinessCentralOptions): ErpResolutionReads => {
  const { get } = makeBusinessCentralGet(options);
  const erp = makeBusinessCentralErp(options);

  const documentsFor = async (orderId: string) => {
    const filter = encodeURIComponent(`orderNumber eq ${odataString(orderId)}`);
    const found = await Promise.all(
      RESOLVING_DOCUMENTS.map(async ([entitySet, lines]) => {
        const Document = z.object({ id: z.string(), externalDocumentNumber: z.optional(z.string()), lines: z._default(z.array(DocumentLine), []) });
        const page = await get(`${entitySet}?$filter=${filter}&$expand=${lines}`, Collection(z.pipe(z.transform((document): unknown => ({ ...(document as object), lines: (document as Record<string, unknown>)?.[lines] })), Document)));
        return page.value.map((document) => ({ resolution: resolutionOf(document.externalDocumentNumber, document.id), lines: document.lines }));
      }),
    );
    return found.flat();
  };

  return {
    ready: erp.ready,

    async orderForResolution(orderId) {
      const found = await get(`salesOrders?$filter=number eq ${encodeURIComponent(odataString(orderId))}&$expand=salesOrderLines`, Collection(SalesOrderWithLines));
      const order = found.value[0];
      if (!order) return undefined;
      const status = canonicalOrderStatus(order, options.statusMap ?? DEFAULT_BUSINESS_CENTRAL_STATUS_MAP);
      if (status === undefined) throw new PermanentError(`The ERP reports order ${orderId} in a state the product cannot read: ${unknownStatusReason(order)}`);

      const items = order.salesOrderLines.filter(isItem).sort((a, b) => a.sequence - b.sequence);
      // Resolved units of a SKU fill its lines in order, each up to what it shipped; any excess stays on the last.
      const unallocated = resolvedBySku(await documentsFor(orderId));
      const lines: OrderForResolution['lines'] = items.map((line, index) => {
        const sku = line.lineObjectNumber;
        const left = sku ? (unallocated.get(sku) ?? 0) : 0;
        const lastOfSku = !items.slice(index + 1).some((later) => later.lineObjectNumber === sku);
        const resolvedQuantity = lastOfSku ? left : Math.min(left, line.shippedQuantity);
        if (sku) unallocated.set(sku, left - resolvedQuantity);
        return {
          lineId: String(line.sequence),
          ...(sku ? { sku } : {}),
          quantity: line.quantity,
          shippedQuantity: line.shippedQuantity,
          resolvedQuantity,
          ...(line.unitPrice === undefined ? {} : { unitPrice: String(line.unitPrice) }),
        };
      });
      const shipped = items.filter((line) => line.shippedQuantity > 0 && line.shipmentDate).map((line) => line.shipmentDate!).sort();
      const shippedAt = order.shipmentDate ?? shipped[0];
      return {
        orderId,
        status,
        ...(order.shipToCountry ? { region: order.shipToCountry } : {}),
        ...(order.currencyCode ? { currency: order.currencyCode } : {}),
        ...(shippedAt ? { shippedAt } : {}),
        lines,
      };
    },

    async availableStock(sku) {
      const levels = await erp.getInventory(sku);
      return Math.max(0, levels.reduce((total, level) => total + level.available, 0));
    },
  };
};
