import { NotFoundError, ValidationError } from '../core/errors';
import type { Clock } from '../core/ports/clock';
import type { ReadModelStore } from '../core/ports/read-model-store';
import { errorResponse, jsonResponse, type HttpResponse } from '../core/problem';
import { normaliseCustomerId, toInventoryView } from '../core/read-models';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export interface ReadApiDependencies {
  store: ReadModelStore;
  clock: Clock;
  inventoryStaleAfterSeconds: number;
}

const pageSize = (value: string | undefined) => {
  if (value === undefined) return DEFAULT_PAGE_SIZE;
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) throw new ValidationError(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}; got "${value}".`);
  return size;
};

/** `GET /v1/customers/{customerId}/timeline` and `GET /v1/inventory/{sku}` for agents. */
export const makeReadApi = ({ store, clock, inventoryStaleAfterSeconds }: ReadApiDependencies) => ({
  async customerTimeline(customerId: string, query: Record<string, string | undefined>, path: string): Promise<HttpResponse> {
    try {
      const limit = pageSize(query.limit);
      const requested = normaliseCustomerId(customerId);
      const key = requested.startsWith('email:') ? requested : ((await store.resolveAlias(requested)) ?? requested);
      const page = await store.timeline(key, limit, query.cursor);
      if (page.entries.length === 0 && !query.cursor) throw new NotFoundError(`No timeline for customer "${customerId}": no event has named this customer yet.`);
      return jsonResponse(200, { customerId: key, entries: page.entries, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
    } catch (error) {
      return errorResponse(error, path);
    }
  },

  async inventory(sku: string, query: Record<string, string | undefined>, path: string): Promise<HttpResponse> {
    try {
      const levels = await store.inventory(sku, query.location || undefined);
      if (levels.length === 0) {
        throw new NotFoundError(query.location ? `No inventory known for SKU "${sku}" at location "${query.location}".` : `No inventory known for SKU "${sku}".`);
      }
      return jsonResponse(200, toInventoryView(sku, levels, clock.now(), inventoryStaleAfterSeconds));
    } catch (error) {
      return errorResponse(error, path);
    }
  },
});
