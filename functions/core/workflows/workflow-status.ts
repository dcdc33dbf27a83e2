import * as z from '../zod';
import { validated } from '../canonical/parse';
import { NotFoundError } from '../errors';
import { errorResponse, jsonResponse, type HttpResponse } from '../problem';
import type { WorkflowStore } from '../ports/workflow-tasks';

// Execution names: letters, digits, dashes and underscores, at most 80 characters.
export const WorkflowId = z.string().check(z.minLength(1), z.maxLength(80), z.regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, dashes and underscores'));

/**
 * `GET /v1/workflows/{workflowId}`: where a workflow stands (state, current milestone), its audit trail
 * oldest first (time, actor, cause) and the ERP documents it created, from the workflow store.
 *
 * @example
 * const status = makeWorkflowStatus({ store });
 * await status('rr-4711-SO-1001-…', '/v1/workflows/rr-4711-SO-1001-…');
 * // 200 { workflowId, state: 'resolved', milestone: 'resolved', erpDocuments: [{ type: 'return-authorization', reference: 'RMA-7' }, …], history: […] }
 */
export const makeWorkflowStatus = ({ store }: { store: Pick<WorkflowStore, 'get'> }) =>
  async (workflowId: string | undefined, path: string): Promise<HttpResponse> => {
    try {
      const id = validated(WorkflowId, workflowId, { problem: 'Invalid workflow id' });
      const found = await store.get(id);
      // A workflow that has not recorded its first milestone yet is not known either (it appears within seconds).
      if (!found) throw new NotFoundError(`No workflow ${id} has recorded a step yet; a workflow just started appears within seconds.`);
      return jsonResponse(200, { ...found.summary, history: found.history });
    } catch (error) {
      return errorResponse(error, path);
    }
  };
