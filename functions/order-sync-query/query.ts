import { NotFoundError } from '../core/errors';
import type { SyncStateStore } from '../core/ports/sync-state-store';
import { errorResponse, jsonResponse, type HttpResponse } from '../core/problem';
import { toOrderSyncView } from '../core/sync-state';

/** Answers `GET /v1/orders/{orderId}/sync` from the sync state. */
export const makeOrderSyncQuery = ({ store }: { store: SyncStateStore }) =>
  async (orderId: string, path: string): Promise<HttpResponse> => {
    try {
      const record = await store.getOrder(orderId);
      if (!record) throw new NotFoundError(`Order "${orderId}" has never been seen from the ERP or the service desk.`);
      return jsonResponse(200, toOrderSyncView(record));
    } catch (error) {
      return errorResponse(error, path);
    }
  };
