import { LOCAL_SERVICE_DESK_AUTHORIZATION } from '../../local/dev-credentials';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { LocalStack } from '../../local/runtime';
import { signStandardWebhook } from '../../local/sign';
import type { TaskCallbacks } from '../../functions/core/ports/workflow-tasks';
import type { ErpResolutionReads } from '../../functions/core/ports/workflow-tasks';
import type { ThroughErpGate } from '../../functions/core/ports/erp';
import { startE2eStack, type E2eStack } from '../support/e2e-stack';
import { eventually } from '../support/emulator';
import { callerHeaders } from '../support/caller';

/**
 * The central scenario on the local stack: an agent asks for a refund or a replacement on a case, the
 * real refund-or-replacement definition runs on the emulator's Step Functions, its steps run in the
 * real workflow-steps worker and ERP dispatcher (through the ERP command queue, rate budget and
 * breaker), and the simulated ERP and service desk show what happened: one document per intent, the
 * milestones on the case in order.
 */

const SECRET_3PL = 'whsec_' + Buffer.from('e2e-wf-3pl').toString('base64');
const DAY_MS = 86_400_000;

/** Faults the tests switch on: a crash after each effect and before its token is answered; stock taken by someone else. */
const faults = { crashOncePerToken: false, stockGoesAfterCheck: undefined as string | undefined };
const crashedTokens = new Set<string>();

const crashBeforeAnswering = (callbacks: TaskCallbacks): TaskCallbacks => ({
  ...callbacks,
  async succeed(taskToken, output) {
    if (faults.crashOncePerToken && !crashedTokens.has(taskToken)) {
      crashedTokens.add(taskToken);
      throw new Error('injected crash: the effect is done, the token not answered');
    }
    return callbacks.succeed(taskToken, output);
  },
});

describe('refund or replacement on the local stack', () => {
  let e2e: E2eStack;
  let stack: LocalStack;
  let nextOrder = 1;

  beforeAll(async () => {
    e2e = await startE2eStack('e2e-wf', {
      signingSecrets: { '3pl': [SECRET_3PL] },
      // A short breaker cooldown, so the ERP outage test sees the ERP come back soon.
      environment: { ERP_BREAKER_FAILURE_THRESHOLD: '3', ERP_BREAKER_COOLDOWN_SECONDS: '2' },
      interceptDependencies: (fn, dependencies) => {
        const deps = dependencies as unknown as { callbacks?: TaskCallbacks; erp?: ThroughErpGate<ErpResolutionReads> };
        if (deps.callbacks) deps.callbacks = crashBeforeAnswering(deps.callbacks);
        if (fn === 'workflowSteps' && deps.erp) {
          const readsThrough = deps.erp;
          deps.erp = (gate) => {
            const erp = readsThrough(gate);
            return {
              ...erp,
              async availableStock(sku) {
                const available = await erp.availableStock(sku);
                // Another order takes the last unit between the check and the replacement order.
                if (faults.stockGoesAfterCheck === sku) stack.erp.setInventory(sku, [{ locationCode: 'MAIN', inventory: 0 }]);
                return available;
              },
            };
          };
        }
        return dependencies;
      },
    });
    ({ stack } = e2e);
  }, 90_000);

  afterAll(async () => {
    await e2e?.stop();
  });

  afterEach(() => {
    faults.crashOncePerToken = false;
    faults.stockGoesAfterCheck = undefined;
  });

  /** A delivered two-line order in the ERP (shipped to Germany three days ago) and a case about it. */
  const orderWithCase = async (stock: { mug: number; plate: number } = { mug: 5, plate: 5 }) => {
    const orderId = `SO-WF-${nextOrder++}-${Date.now() % 100_000}`;
    stack.erp.setOrder(orderId, 'delivered');
    stack.erp.setOrderLines(orderId, [
      { sku: 'MUG-BLUE', quantity: 1, shippedQuantity: 1, unitPrice: 12.5 },
      { sku: 'PLATE-WHITE', quantity: 1, shippedQuantity: 1, unitPrice: 30 },
    ], { currencyCode: 'EUR', shipToCountry: 'DE', shipmentDate: new Date(Date.now() - 3 * DAY_MS).toISOString().slice(0, 10) });
    stack.erp.setInventory('MUG-BLUE', [{ locationCode: 'MAIN', inventory: stock.mug }]);
    stack.erp.setInventory('PLATE-WHITE', [{ locationCode: 'MAIN', inventory: stock.plate }]);
    const created = await fetch(`${stack.serviceDesk.url}/api/v2/tickets.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: LOCAL_SERVICE_DESK_AUTHORIZATION },
      body: JSON.stringify({ ticket: { subject: `Damaged item in ${orderId}` } }),
    });
    const caseId = String(((await created.json()) as { ticket: { id: number } }).ticket.id);
    return { orderId, caseId };
  };

  const requestResolution = async (caseId: string, body: Record<string, unknown>) => {
    const response = await fetch(`${stack.url}/v1/cases/${caseId}/resolutions`, { method: 'POST', headers: { 'content-type': 'application/json', ...callerHeaders }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as { workflowId: string; statusUrl: string; started: boolean } };
  };

  const workflow = async (workflowId: string) => {
    const response = await fetch(`${stack.url}/v1/workflows/${workflowId}`, { headers: callerHeaders });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  /**
   * Waits until the workflow reaches one of the states; for a final state also until its execution has
   * ended, since the summary changes before the last step has posted its note and answered its token.
   */
  const settled = async (workflowId: string, states: string[], timeoutMs = 60_000) => {
    const found = await eventually(() => workflow(workflowId), (current) => current.status === 200 && states.includes(current.body.state), timeoutMs, 250);
    if (['resolved', 'rejected', 'abandoned'].includes(found.body.state)) {
      await eventually(() => executionStatus(workflowId), (status) => status !== 'RUNNING', timeoutMs, 250);
      return workflow(workflowId);
    }
    return found;
  };

  /** The Step Functions execution's own status (RUNNING until its last task is answered). */
  const executionStatus = async (workflowId: string) => {
    const sfn = new SFNClient({});
    try {
      const executionArn = `${stack.resources.stateMachineArns.refundOrReplacement.replace(':stateMachine:', ':execution:')}:${workflowId}`;
      return (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status;
    } finally {
      sfn.destroy();
    }
  };

  /** The milestones the case shows, in order (each note ends with its reference). */
  const caseNotes = (caseId: string) => (stack.serviceDesk.comments.get(Number(caseId)) ?? []).map((comment) => comment.body);
  const erpDocuments = (workflowId: string) =>
    stack.erp.effects.filter((effect) => effect.externalDocumentNumber.startsWith(`${workflowId}.`)).map((effect) => effect.externalDocumentNumber.slice(workflowId.length + 1));

  const damagedMug = (orderId: string, preferred: 'replacement' | 'refund' = 'replacement') => ({
    orderId,
    lines: [{ sku: 'MUG-BLUE', quantity: 1, reason: 'damaged' }],
    preferred,
    requestedBy: 'agent:7',
  });

  it('replaces a damaged item that is in stock: one return authorization, one replacement order, the milestones on the case in order', async () => {
    // Prepare
    const { orderId, caseId } = await orderWithCase();

    // Act
    const started = await requestResolution(caseId, damagedMug(orderId));
    const done = await settled(started.body.workflowId, ['resolved', 'exception', 'rejected', 'abandoned']);

    // Assess
    expect(started).toMatchObject({ status: 202, body: { started: true, statusUrl: `/v1/workflows/${started.body.workflowId}` } });
    expect(done.body).toMatchObject({ state: 'resolved', caseId, orderId, resolution: 'replacement' });
    expect(done.body.erpDocuments.map((document: { type: string }) => document.type)).toEqual(['return-authorization', 'replacement-order']);
    expect(done.body.history.map((entry: { milestone: string }) => entry.milestone)).toEqual(['received', 'eligibility-confirmed', 'return-authorized', 'replacement-created', 'resolved']);
    expect(erpDocuments(started.body.workflowId).sort()).toEqual(['replacement-order', 'return-authorization']);
    const notes = caseNotes(caseId);
    expect(notes.map((note) => note.split(':')[0]!.split(' ').slice(0, 2).join(' '))).toEqual(['Request for', 'Eligible', 'Return authorization', 'Replacement order', 'Resolved']);
    expect(stack.serviceDesk.tickets.get(Number(caseId))!.status).toBe('solved');
  }, 90_000);

  it('refunds when the replacement is out of stock', async () => {
    // Prepare
    const { orderId, caseId } = await orderWithCase({ mug: 0, plate: 5 });

    // Act
    const started = await requestResolution(caseId, damagedMug(orderId));
    const done = await settled(started.body.workflowId, ['resolved', 'exception', 'rejected', 'abandoned']);

    // Assess
    expect(done.body.history.map((entry: { milestone: string }) => entry.milestone)).toEqual([
      'received',
      'eligibility-confirmed',
      'return-authorized',
      'replacement-unavailable',
      'refund-issued',
      'resolved',
    ]);
    expect(erpDocuments(started.body.workflowId).sort()).toEqual(['refund', 'return-authorization']);
  }, 90_000);

  it('falls back to a refund when the stock goes between the check and the replacement order', async () => {
    // Prepare
    const { orderId, caseId } = await orderWithCase({ mug: 1, plate: 5 });
    faults.stockGoesAfterCheck = 'MUG-BLUE';

    // Act
    const started = await requestResolution(caseId, damagedMug(orderId));
    const done = await settled(started.body.workflowId, ['resolved', 'exception', 'rejected', 'abandoned']);

    // Assess: the ERP refused the replacement order (nothing created), then refunded.
    expect(done.body.history.map((entry: { milestone: string }) => entry.milestone)).toContain('replacement-unavailable');
    expect(done.body.state).toBe('resolved');
    expect(erpDocuments(started.body.workflowId).sort()).toEqual(['refund', 'return-authorization']);
  }, 90_000);

  it('starts one workflow for the same request sent twice: one return authorization, one replacement', async () => {
    // Prepare
    const { orderId, caseId } = await orderWithCase();

    // Act
    const first = await requestResolution(caseId, damagedMug(orderId));
    const second = await requestResolution(caseId, damagedMug(orderId));
    await settled(first.body.workflowId, ['resolved', 'exception', 'rejected', 'abandoned']);

    // Assess
    expect(second).toMatchObject({ status: 202, body: { workflowId: first.body.workflowId, started: false } });
    expect(erpDocuments(first.body.workflowId).sort()).toEqual(['replacement-order', 'return-authorization']);
  }, 90_000);

  it('rejects an ineligible request on the case and in the API, without an ERP document', async () => {
    // Prepare
    const { orderId, caseId } = await orderWithCase();

    // Act
    const started = await requestResolution(caseId, { ...damagedMug(orderId), lines: [{ sku: 'MUG-BLUE', quantity: 5, reason: 'damaged' }] });
    const done = await settled(started.body.workflowId, ['resolved', 'exception', 'rejected', 'abandoned']);

    // Assess
    expect(done.body.state).toBe('rejected');
    expect(caseNotes(caseId)[1]).toMatch(/^Not eligible: SKU MUG-BLUE: 5 requested, 1 bought\./);
    expect(erpDocuments(started.body.workflowId)).toEqual([]);
  }, 90_000);

  it('returns one line of a two-line order: waits for the 3PL to receive it, then refunds that line only', async () => {
    // Prepare
    const { orderId, caseId } = await orderWithCase();
    const started = await requestResolution(caseId, { orderId, lines: [{ sku: 'PLATE-WHITE', quantity: 1, reason: 'changed-mind' }], preferred: 'refund', requestedBy: 'agent:7' });
    const waiting = await settled(started.body.workflowId, ['waiting-for-return', 'exception', 'rejected']);
    const returnAuthorization = stack.erp.effects.find((effect) => effect.externalDocumentNumber === `${started.body.workflowId}.return-authorization`)!;

    // Act: days later (here: now), the warehouse scans the return.
    const rawBody = JSON.stringify({ type: 'return.received', timestamp: new Date().toISOString(), data: { returnId: returnAuthorization.number, orderId, occurredAt: new Date().toISOString(), lines: [{ sku: 'PLATE-WHITE', quantity: 1 }] } });
    const delivered = await fetch(`${stack.url}/v1/webhooks/3pl`, { method: 'POST', headers: signStandardWebhook(SECRET_3PL, rawBody), body: rawBody });
    const done = await settled(started.body.workflowId, ['resolved', 'exception', 'abandoned']);

    // Assess
    expect(waiting.body.state).toBe('waiting-for-return');
    expect(delivered.status).toBe(202);
    expect(done.body.history.map((entry: { milestone: string }) => entry.milestone)).toEqual([
      'received',
      'eligibility-confirmed',
      'return-authorized',
      'awaiting-return',
      'return-received',
      'refund-issued',
      'resolved',
    ]);
    const refund = stack.erp.effects.find((effect) => effect.externalDocumentNumber === `${started.body.workflowId}.refund`)!;
    expect(refund.body.lines).toEqual([expect.objectContaining({ sku: 'PLATE-WHITE', quantity: 1 })]);
  }, 90_000);

  it('reports a workflow past its SLA once, on the schedule, as workflow.sla.breached', async () => {
    // Prepare: a refund waiting for its return, whose SLA (as if requested weeks ago) is past.
    const { orderId, caseId } = await orderWithCase();
    const started = await requestResolution(caseId, { orderId, lines: [{ sku: 'PLATE-WHITE', quantity: 1, reason: 'changed-mind' }], preferred: 'refund', requestedBy: 'agent:7' });
    await settled(started.body.workflowId, ['waiting-for-return']);
    const dynamodb = new DynamoDBClient({});
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: stack.resources.tables.workflows,
        Key: { pk: { S: `WORKFLOW#${started.body.workflowId}` }, sk: { S: 'SUMMARY' } },
        UpdateExpression: 'SET slaDueAt = :due',
        ExpressionAttributeValues: { ':due': { S: new Date(Date.now() - DAY_MS).toISOString() } },
      }),
    );
    dynamodb.destroy();
    const tick = () =>
      e2e.sqs.send(
        new SendMessageCommand({
          QueueUrl: stack.resources.queues.get('workflow-steps')!.url,
          MessageBody: JSON.stringify({ version: '0', id: crypto.randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', time: new Date().toISOString(), resources: [], detail: {} }),
        }),
      );

    // Act: two ticks of the schedule.
    await tick();
    const breached = await eventually(() => workflow(started.body.workflowId), (found) => found.body.slaBreachedAt !== undefined, 30_000, 250);
    await tick();
    const seen: Array<{ 'detail-type': string; detail: { data: unknown } }> = [];
    const breaches = async () => {
      seen.push(...(await e2e.observer.drain()));
      return seen.filter((event) => event['detail-type'] === 'workflow.sla.breached' && (event.detail.data as { workflowId: string }).workflowId === started.body.workflowId);
    };
    await eventually(breaches, (found) => found.length > 0, 30_000, 250);
    // The second tick has had time to run (the queue is otherwise idle) and must have added nothing.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const events = await breaches();

    // Assess
    expect(breached.body).toMatchObject({ state: 'waiting-for-return', slaBreachedAt: expect.any(String) });
    expect(events).toHaveLength(1);
  }, 90_000);

  it('waits out an ERP outage in the middle and then completes', async () => {
    // Prepare
    const { orderId, caseId } = await orderWithCase();
    const started = await requestResolution(caseId, damagedMug(orderId));
    await eventually(async () => erpDocuments(started.body.workflowId), (documents) => documents.includes('return-authorization'), 60_000, 100);

    // Act: the ERP answers 503 to everything for 6 seconds, from right after the return authorization.
    stack.erp.outageUntil(Date.now() + 6_000);
    const done = await settled(started.body.workflowId, ['resolved', 'exception', 'abandoned'], 90_000);

    // Assess
    expect(stack.erp.stats.faults).toBeGreaterThan(0);
    expect(done.body.state).toBe('resolved');
    expect(erpDocuments(started.body.workflowId).sort()).toEqual(['replacement-order', 'return-authorization']);
  }, 120_000);

  it.each([
    ['a refund (the replacement is out of stock)', 0, ['refund', 'return-authorization'], 6],
    ['a replacement', 5, ['replacement-order', 'return-authorization'], 5],
  ] as const)('survives a crash after every effect and before its token is answered, for %s: one ERP document per intent, each milestone once', async (_path, mugs, documents, milestones) => {
    // Prepare
    const { orderId, caseId } = await orderWithCase({ mug: mugs, plate: 5 });
    faults.crashOncePerToken = true;
    const crashesBefore = crashedTokens.size;

    // Act
    const started = await requestResolution(caseId, damagedMug(orderId));
    const done = await settled(started.body.workflowId, ['resolved', 'exception', 'rejected', 'abandoned'], 110_000);

    // Assess: every step crashed once (each milestone, eligibility, inventory, two ERP writes) and was redelivered.
    expect(done.body.state).toBe('resolved');
    expect(crashedTokens.size - crashesBefore).toBe(milestones + 4);
    expect(erpDocuments(started.body.workflowId).sort()).toEqual(documents);
    expect(stack.erp.duplicates()).toBe(0);
    expect(caseNotes(caseId)).toHaveLength(milestones);
  }, 120_000);
});
