import type { ErpResolutionReads } from '../ports/workflow-tasks';
import type { makeErpGate } from './gate';

/** The ERP gate: runs a call behind the shared breaker and within the shared rate budget. */
export type ErpGate = ReturnType<typeof makeErpGate>;

/**
 * The workflow's ERP reads behind the ERP gate, like every other ERP call: an open breaker or a spent
 * rate budget answers `DeferredError` without calling the ERP, and each answer teaches the breaker.
 * One read takes one slot, though `orderForResolution` may send a few requests.
 *
 * @example
 * const reads = gatedResolutionReads(makeBusinessCentralResolutionReads({ baseUrl }), makeErpGate({ coordination }));
 */
export const gatedResolutionReads = (reads: ErpResolutionReads, gate: ErpGate): ErpResolutionReads => ({
  ...(reads.ready ? { ready: reads.ready } : {}),
  orderForResolution: (orderId) => gate(() => reads.orderForResolution(orderId)),
  availableStock: (sku) => gate(() => reads.availableStock(sku)),
});
