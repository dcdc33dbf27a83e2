import { makeStartResolution } from '../../../../functions/core/workflows/start-resolution';
import type { RefundOrReplacementInput } from '../../../../functions/core/workflows/refund-or-replacement';

const body = { orderId: 'SO-1001', lines: [{ lineId: '10000', quantity: 1, reason: 'damaged' }], preferred: 'replacement', requestedBy: 'agent:7' };

const api = (fail?: Error) => {
  const started: RefundOrReplacementInput[] = [];
  const startResolution = makeStartResolution({
    starter: {
      startRefundOrReplacement: async (input) => {
        if (fail) throw fail;
        const again = started.some((earlier) => earlier.workflowId === input.workflowId);
        started.push(input);
        return again ? 'already-started' : 'started';
      },
    },
    clock: { now: () => new Date('2026-11-28T12:00:00Z') },
  });
  const post = (rawBody: string, caseId: string | undefined = '4711') => startResolution({ caseId, rawBody, correlationId: 'req-1', path: `/v1/cases/${caseId}/resolutions` });
  return { post, started };
};

describe('POST /v1/cases/{caseId}/resolutions', () => {
  it('starts the workflow and says where to follow it', async () => {
    // Prepare
    const { post, started } = api();
    // Act
    const response = await post(JSON.stringify(body));
    // Assess
    expect(response.statusCode).toBe(202);
    const answer = JSON.parse(response.body) as { workflowId: string; statusUrl: string; started: boolean };
    expect(answer).toEqual({ workflowId: expect.stringMatching(/^rr-4711-SO-1001-/), statusUrl: `/v1/workflows/${answer.workflowId}`, started: true });
    expect(started).toEqual([{ workflowId: answer.workflowId, request: { ...body, caseId: '4711', correlationId: 'req-1', requestedAt: '2026-11-28T12:00:00.000Z' } }]);
  });

  it('answers the same request twice with the same workflow, started once', async () => {
    // Prepare
    const { post } = api();
    // Act
    const first = JSON.parse((await post(JSON.stringify(body))).body);
    const second = JSON.parse((await post(JSON.stringify(body))).body);
    // Assess
    expect(second.workflowId).toBe(first.workflowId);
    expect([first.started, second.started]).toEqual([true, false]);
  });

  it.each([
    ['a body that is not JSON', '{"orderId":', '4711', 'The body is not valid JSON'],
    ['a line without a reason', JSON.stringify({ ...body, lines: [{ lineId: '1', quantity: 1 }] }), '4711', 'Invalid resolution request: lines.0.reason'],
    ['a case id with a slash', JSON.stringify(body), 'a/b', 'Invalid case id'],
  ])('refuses %s with a 400 problem', async (_, rawBody, caseId, detail) => {
    // Prepare
    const { post, started } = api();
    // Act
    const response = await post(rawBody, caseId);
    // Assess
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(response.body).detail).toContain(detail);
    expect(started).toEqual([]);
  });

  it('answers 500 when the workflow cannot be started, so the caller retries', async () => {
    // Prepare
    const { post } = api(new Error('Step Functions unavailable'));
    // Act
    const response = await post(JSON.stringify(body));
    // Assess
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body).detail).not.toContain('Step Functions');
  });
});
