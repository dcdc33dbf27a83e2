import * as z from '../zod';
import { parseJsonAs, validated } from '../canonical/parse';
import { errorResponse, jsonResponse, type HttpResponse } from '../problem';
import type { Clock } from '../ports/clock';
import type { WorkflowStarter } from '../ports/workflow-tasks';
import { ResolutionRequestBody, workflowIdFor } from './refund-or-replacement';

export interface ResolutionApiRequest {
  caseId: string | undefined;
  rawBody: string;
  /** The gateway's request id: follows the workflow through its messages and events. */
  correlationId: string;
  /** Path of the request, the problem's `instance`. */
  path: string;
}

export const CaseId = z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits, dot, colon, underscore or dash'));

/**
 * `POST /v1/cases/{caseId}/resolutions`: validates the request and starts its refund-or-replacement
 * workflow, answering at once with where to follow it. The same case, order and lines always name the
 * same workflow, so a request sent twice starts one.
 *
 * @example
 * const startResolution = makeStartResolution({ starter, clock: systemClock });
 * await startResolution({ caseId: '4711', rawBody: JSON.stringify(body), correlationId: 'req-1', path: '/v1/cases/4711/resolutions' });
 * // 202 { workflowId: 'rr-4711-SO-1001-…', statusUrl: '/v1/workflows/rr-4711-SO-1001-…', started: true }
 */
export const makeStartResolution = ({ starter, clock }: { starter: WorkflowStarter; clock: Clock }) =>
  async (request: ResolutionApiRequest): Promise<HttpResponse> => {
    try {
      const caseId = validated(CaseId, request.caseId, { problem: 'Invalid case id' });
      const body = parseJsonAs(ResolutionRequestBody, request.rawBody, 'The body', { problem: 'Invalid resolution request' });
      const workflowId = workflowIdFor(caseId, body);
      const outcome = await starter.startRefundOrReplacement({
        workflowId,
        request: { ...body, caseId, correlationId: request.correlationId, requestedAt: clock.now().toISOString() },
      });
      return jsonResponse(202, { workflowId, statusUrl: `/v1/workflows/${workflowId}`, started: outcome === 'started' });
    } catch (error) {
      return errorResponse(error, request.path);
    }
  };
