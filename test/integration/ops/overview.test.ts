import { userInfo } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { makeDynamoDbCommandLedger } from '../../../functions/adapters/erp-coordination-store';
import { makeDynamoDbReconcileRunStore } from '../../../functions/adapters/reconcile-run-store';
import { makeSqsMessageControl } from '../../../functions/adapters/sqs-message-control';
import { makeDynamoDbSyncStateStore } from '../../../functions/adapters/sync-state-store';
import { makeDynamoDbWorkflowStore } from '../../../functions/adapters/workflow-store';
import type { WorkflowTransition } from '../../../functions/core/canonical/workflow';
import { METRICS_NAMESPACE, resourceNames } from '../../../lib/topology';
import { makeMetricsForwarder } from '../../../local/metrics-forwarder';
import { provisionLocalResources, type LocalQueue } from '../../../local/provision';
import { readAudit, recordAudit, whoAmI } from '../../../ops/audit';
import { run } from '../../../ops/cli';
import { closeConnection, makeCloudWatchClient, openConnection, type OpsConnection } from '../../../ops/connection';
import { listDelayed } from '../../../ops/delayed';
import { readMetricsHistory } from '../../../ops/metrics-history';
import { readOverview } from '../../../ops/overview';
import type { Trace } from '../../../ops/trace';
import { uniqueStage, useEmulator } from '../../support/emulator';

/**
 * `ops overview`, `ops delayed`, the audit lines and the metrics history against the emulator: the
 * stores are filled the way the functions fill them (their own adapters), then read by the ops library
 * and the CLI.
 */
describe('ops overview, delayed, audit and metrics history against the emulator', () => {
  let endpoint: string;
  let stage: string;
  let conn: OpsConnection;
  let updater: LocalQueue;
  const now = new Date();
  const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
  const exceptionWorkflow = 'rr-7-SO-WF-0001';
  const lateRefund = 'rr-8-SO-LATE-0002';

  const cli = async (...args: string[]) => {
    const [out, err]: string[][] = [[], []];
    const code = await run([...args, '--stage', stage, '--endpoint', endpoint], { stdout: (text) => out.push(text), stderr: (text) => err.push(text), progress: false, env: {} });
    return { code, stdout: out.join(''), stderr: err.join('') };
  };

  const transition = (overrides: Partial<WorkflowTransition> & Pick<WorkflowTransition, 'workflowId' | 'orderId' | 'caseId'>): WorkflowTransition => ({
    workflow: 'refund-or-replacement',
    milestone: 'received',
    state: 'running',
    actor: 'agent',
    cause: 'The agent asked for a refund.',
    occurredAt: ago(6 * 86400).toISOString(),
    ...overrides,
  });

  beforeAll(async () => {
    endpoint = useEmulator();
    stage = uniqueStage('opsview');
    const { queues } = await provisionLocalResources({ stage, signingSecrets: {}, visibilityTimeoutSeconds: 30, emulatorEndpoint: endpoint });
    updater = queues.get('service-desk-updater')!;
    conn = openConnection({ stage, endpoint }, {});
    const names = resourceNames(stage);
    const dynamodb = new DynamoDBClient({});
    const sqs = new SQSClient({});

    // Orders: one drifted for 10 minutes (desk behind the ERP), one out of sync for 30 s (within its bound), one in sync.
    const sync = makeDynamoDbSyncStateStore(dynamodb, names.table('syncState'));
    await sync.recordErpStatus({ orderId: 'SO-DRIFT', status: 'shipped', version: 2, occurredAt: ago(620).toISOString() }, 'evt_drift', ago(600));
    await sync.recordServiceDeskStatus('SO-DRIFT', { status: 'confirmed', version: 1, caseIds: ['5'], verified: true }, ago(3600));
    await sync.recordErpStatus({ orderId: 'SO-FRESH', status: 'shipped', version: 2, occurredAt: ago(40).toISOString() }, 'evt_fresh', ago(30));
    await sync.recordServiceDeskStatus('SO-FRESH', { status: 'confirmed', version: 1, caseIds: ['6'], verified: true }, ago(3600));
    await sync.recordErpStatus({ orderId: 'SO-OK', status: 'confirmed', version: 1, occurredAt: ago(3600).toISOString() }, 'evt_ok', ago(3600));
    await sync.recordServiceDeskStatus('SO-OK', { status: 'confirmed', version: 1, caseIds: ['4'], verified: true }, ago(3600));

    // Workflows: one parked as an exception, one refund past its SLA.
    const workflows = makeDynamoDbWorkflowStore(dynamodb, names.table('workflows'));
    const exception = { step: 'Create return authorization', error: 'Erp.Permanent', cause: 'the ERP answered 422' };
    await workflows.recordTransition(transition({ workflowId: exceptionWorkflow, orderId: 'SO-WF', caseId: '7', milestone: 'exception', state: 'exception', actor: 'system', cause: 'Creating the return authorization failed.', exception }), ago(3600).toISOString());
    await workflows.park(exceptionWorkflow, 'token-1', exception);
    await workflows.recordTransition(
      transition({ workflowId: lateRefund, orderId: 'SO-LATE', caseId: '8', milestone: 'eligibility-confirmed', resolution: 'refund', slaDueAt: ago(86400).toISOString(), region: 'DE', brand: 'acme', actor: 'system', cause: 'Eligible for a refund.' }),
      ago(6 * 86400).toISOString(),
    );

    // A DLQ message for SO-DLQ, dead-lettered the way the consumers do.
    await makeSqsMessageControl(sqs, updater.url, updater.deadLetterUrl).deadLetter({
      messageId: 'src-1',
      body: JSON.stringify({ 'detail-type': 'order.status.changed', detail: { correlationId: 'corr-dlq', data: { orderId: 'SO-DLQ', status: 'shipped', version: 2 } } }),
      errorClass: 'permanent',
      errorMessage: 'PUT /api/v2/tickets/9.json answered 422',
      receiveCount: 1,
      firstReceivedAt: ago(900).toISOString(),
      failedAt: ago(900).toISOString(),
      sourceQueue: updater.url,
      correlationId: 'corr-dlq',
    });

    // The late refund's ERP command, started 20 minutes ago and not done; one started a minute ago.
    await makeDynamoDbCommandLedger(dynamodb, names.table('coordination'), () => ago(1200).getTime()).start(`${lateRefund}.refund`);
    await makeDynamoDbCommandLedger(dynamodb, names.table('coordination'), () => ago(60).getTime()).start('rr-9-SO-NEW-0003.refund');
    // A command of a workflow that has ended since, still not done after 30 minutes.
    await workflows.recordTransition(transition({ workflowId: 'rr-10-SO-DONE-0004', orderId: 'SO-DONE', caseId: '10', milestone: 'resolved', state: 'resolved', actor: 'system', cause: 'Resolved.' }), ago(7200).toISOString());
    await makeDynamoDbCommandLedger(dynamodb, names.table('coordination'), () => ago(1800).getTime()).start('rr-10-SO-DONE-0004.credit-memo');

    // A reconciliation run and an open ERP breaker.
    await makeDynamoDbReconcileRunStore(dynamodb, names.table('coordination')).requested(
      { runId: 'run-1', since: ago(7200).toISOString(), until: now.toISOString(), requestedBy: 'ops-cli', repair: true },
      ago(60),
    );
    await DynamoDBDocumentClient.from(dynamodb).send(
      new PutCommand({ TableName: names.table('coordination'), Item: { pk: 'BREAKER#erp', state: { status: 'open', consecutiveFailures: 5, openedAtMs: ago(300).getTime(), openUntilMs: now.getTime() + 10_000, probeLeaseUntilMs: 0 }, revision: 1 } }),
    );
    dynamodb.destroy();
    sqs.destroy();
  }, 60_000);
  afterAll(() => closeConnection(conn));

  describe('overview', () => {
    it('counts the drifted order, the DLQ message, the workflows, the SLA breach and the open breaker', async () => {
      // Act
      const overview = await readOverview(conn, now);

      // Assess
      expect(overview.stage).toBe(stage);
      expect(overview.sync.outOfSync).toBe(2);
      expect(overview.sync.oldest).toEqual({ orderId: 'SO-DRIFT', since: ago(600).toISOString(), ageSeconds: 600 });
      expect(overview.dlqs.find((dlq) => dlq.name === resourceNames(stage).deadLetterQueue(updater.spec))).toMatchObject({ depth: 1 });
      expect(overview.dlqs.filter((dlq) => dlq.depth > 0)).toHaveLength(1);
      expect(overview.workflows.byState).toEqual({ exception: 1, running: 1, resolved: 1 });
      expect(overview.sla).toEqual({ refundsPastSla: 1, replacementsPastSla: 0, returnsAwaitingReceipt: 0 });
      expect(overview.exceptions.open).toBe(1);
      expect(overview.reconciliation.runs).toEqual([{ runId: 'run-1', startedAt: ago(60).toISOString(), status: 'requested', checked: 0, driftFound: 0, repaired: 0 }]);
      expect(overview.erp.breaker).toEqual({ state: 'open', openedAt: ago(300).toISOString(), openUntil: new Date(now.getTime() + 10_000).toISOString(), consecutiveFailures: 5 });
      expect(overview.erp.budget).toEqual({ limitPerSecond: 20, usedLastMinute: 0, utilisation: 0, limitSource: 'assumed' });
    });

    it('prints it through the CLI, and as JSON', async () => {
      // Act
      const text = await cli('ops', 'overview');
      const json = await cli('ops', 'overview', '--json');

      // Assess
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/^Orders out of sync: 2 \(oldest SO-DRIFT, 10m \d+s/m);
      expect(text.stdout).toMatch(new RegExp(`ERP: breaker open since ${ago(300).toISOString()} until `));
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout).sync.outOfSync).toBe(2);
    });
  });

  describe('delayed', () => {
    it('lists the order out of sync past its bound, the parked workflow and the refund past its SLA, the longest waiting first', async () => {
      // Act
      const delayed = await listDelayed(conn, {}, now);

      // Assess
      expect(delayed.map((entity) => [entity.kind, entity.id, entity.traceId])).toEqual([
        ['refund', lateRefund, 'SO-LATE'],
        ['erp-command', 'rr-10-SO-DONE-0004.credit-memo', 'SO-DONE'],
        ['erp-command', `${lateRefund}.refund`, 'SO-LATE'],
        ['order', 'SO-DRIFT', 'SO-DRIFT'],
        ['workflow', exceptionWorkflow, 'SO-WF'],
      ]);
      expect(delayed[2]).toMatchObject({ bound: 'ERP command done within 15 min', ageSeconds: 1200, caseId: '8', reason: 'started, not done; 0 failed attempt(s)' });
      expect(delayed[3]).toMatchObject({ bound: 'sync within 5 min', step: 'service-desk update', ageSeconds: 600, caseId: '5' });
      expect(delayed[4]).toMatchObject({ step: 'Create return authorization', caseId: '7', reason: 'parked: Erp.Permanent: the ERP answered 422' });
      expect(delayed[0]).toMatchObject({ bound: `refund within 120 h (SLA, due ${ago(86400).toISOString()})` });
    });

    it('filters by kind, age, region and brand', async () => {
      // Act
      const workflows = await listDelayed(conn, { kinds: ['workflow'] }, now);
      const old = await listDelayed(conn, { minAgeSeconds: 3600 }, now);
      const ordersAndRefunds = await listDelayed(conn, { kinds: ['order', 'refund'] }, now);
      const inRegion = await listDelayed(conn, { region: 'DE' }, now);
      const ofBrand = await listDelayed(conn, { brand: 'acme' }, now);

      // Assess
      expect(workflows.map((entity) => entity.id)).toEqual([exceptionWorkflow]);
      expect(old.map((entity) => entity.id)).toEqual([lateRefund]);
      expect(ordersAndRefunds.map((entity) => entity.id)).toEqual([lateRefund, 'SO-DRIFT']);
      // A workflow carries the region and brand its eligibility was decided for; nothing else records them.
      expect(inRegion.map((entity) => [entity.id, entity.region])).toEqual([[lateRefund, 'DE']]);
      expect(ofBrand.map((entity) => [entity.id, entity.brand])).toEqual([[lateRefund, 'acme']]);
      expect(await listDelayed(conn, { region: 'FR' }, now)).toEqual([]);
    });

    it('takes the filters on the command line and refuses an unknown kind', async () => {
      // Act
      const orders = await cli('ops', 'delayed', '--kind', 'order', '--json');
      const table = await cli('ops', 'delayed', '--min-age', '1h');
      const wrong = await cli('ops', 'delayed', '--kind', 'parcel');
      const badAge = await cli('ops', 'delayed', '--min-age', 'soon');

      // Assess
      expect(orders.code).toBe(0);
      expect(JSON.parse(orders.stdout).map((entity: { id: string }) => entity.id)).toEqual(['SO-DRIFT']);
      expect(table.stdout.split('\n')[0]).toMatch(/^KIND\s+ID\s+ORDER\s+AGE\s+STEP\s+BOUND\s+REASON\s+TRACE$/);
      expect(table.stdout).toContain(lateRefund);
      expect(table.stdout).not.toContain('SO-DRIFT');
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toMatch(/--kind.*expected one of order, refund, return, workflow, erp-command/);
      expect(badAge.code).toBe(2);
      expect(badAge.stderr).toMatch(/--min-age.*expected a duration/);
    });
  });

  describe('audit', () => {
    it('names the operator: local:<os user> against the local stack', async () => {
      expect(await whoAmI(conn)).toBe(`local:${userInfo().username}`);
    });

    it('writes a line for a redrive and one for the order of the moved message, which ops trace shows', async () => {
      // Act
      const redrive = await cli('ops', 'dlq', 'redrive', 'service-desk-updater');
      const trace = await cli('ops', 'trace', 'SO-DLQ', '--json');

      // Assess
      expect(redrive.code).toBe(0);
      const queueLines = await readAudit(conn, [`dlq:${resourceNames(stage).deadLetterQueue(updater.spec)}`]);
      expect(queueLines).toEqual([
        expect.objectContaining({ who: `local:${userInfo().username}`, action: 'dlq.redrive', outcome: 'ok', detail: expect.objectContaining({ moved: 1, mode: 'selective' }) }),
      ]);
      expect(trace.code).toBe(0);
      const traced = JSON.parse(trace.stdout) as Trace;
      expect(traced.audit).toEqual([
        expect.objectContaining({ action: 'dlq.redrive.message', target: 'order:SO-DLQ', who: `local:${userInfo().username}`, outcome: 'ok', detail: expect.objectContaining({ correlationId: 'corr-dlq' }) }),
      ]);
      expect(traced.steps).toContainEqual(expect.objectContaining({ step: 'ops: dlq.redrive.message', system: 'ops', outcome: `done by local:${userInfo().username}` }));
    });

    it('writes a failed line when a decision on a workflow is refused, and the trace of its order shows it', async () => {
      // Act: the workflow is parked, but no execution runs it, so the retry is refused.
      const retry = await cli('ops', 'workflows', 'retry', exceptionWorkflow);
      const trace = await cli('ops', 'trace', 'SO-WF', '--json');

      // Assess
      expect(retry.code).toBe(1);
      const traced = JSON.parse(trace.stdout) as Trace;
      expect(traced.audit).toEqual([expect.objectContaining({ action: 'workflow.retry', target: `workflow:${exceptionWorkflow}`, outcome: 'failed' })]);
      expect(traced.steps[traced.stuckAt!]).toMatchObject({ status: 'failed', system: 'step-functions' });
    });

    it('traces a workflow by its id as its order, and a case by its id as the orders that link it', async () => {
      // Act
      const byWorkflow = JSON.parse((await cli('ops', 'trace', exceptionWorkflow, '--json')).stdout) as Trace;
      const byCase = JSON.parse((await cli('ops', 'trace', '5', '--json')).stdout) as Trace;
      const unknown = await cli('ops', 'trace', 'no-such-case');

      // Assess
      expect(byWorkflow).toMatchObject({ kind: 'workflow', orderIds: ['SO-WF'] });
      expect(byWorkflow.steps[byWorkflow.stuckAt!]).toMatchObject({ status: 'failed', system: 'step-functions' });
      expect(byCase).toMatchObject({ kind: 'case', orderIds: ['SO-DRIFT'] });
      expect(unknown.code).toBe(2);
    });

    it('keeps lines of one target in time order, with who was given', async () => {
      // Act
      await recordAudit(conn, { action: 'reconcile.request', target: 'run:run-audit', outcome: 'ok' }, 'arn:aws:iam::123456789012:user/ana');
      await recordAudit(conn, { action: 'reconcile.request', target: 'run:run-audit', outcome: 'failed', detail: { error: 'queue missing' } }, 'arn:aws:iam::123456789012:user/bo');

      // Assess
      const lines = await readAudit(conn, ['run:run-audit']);
      expect(lines.map((line) => [line.who, line.outcome])).toEqual([
        ['arn:aws:iam::123456789012:user/ana', 'ok'],
        ['arn:aws:iam::123456789012:user/bo', 'failed'],
      ]);
    });
  });

  describe('metrics history', () => {
    it("reads back, with GetMetricData, what the local stack's forwarder put from the handlers' Powertools metrics", async () => {
      // Prepare: a region of its own, so metrics of local stacks other tests run never mix in.
      const cloudwatch = makeCloudWatchClient({ endpoint, region: 'eu-central-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      const forwarder = makeMetricsForwarder(cloudwatch, { echo: false, log: (message) => { throw new Error(message); } });
      const ingest = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'webhook-ingest' });
      const updaterMetrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'service-desk-updater' });
      forwarder.attach(ingest);
      forwarder.attach(updaterMetrics);
      const webhook = (source: string, outcome: string) => {
        ingest.addDimensions({ source, outcome });
        ingest.addMetric('WebhookReceived', MetricUnit.Count, 1);
        ingest.publishStoredMetrics();
      };

      // Act
      webhook('erp', 'accepted');
      webhook('3pl', 'accepted');
      webhook('erp', 'duplicate');
      webhook('erp', 'signature-invalid');
      webhook('erp', 'error');
      updaterMetrics.addMetric('ServiceDeskSyncLag', MetricUnit.Milliseconds, 1500);
      updaterMetrics.addMetric('ServiceDeskSyncLag', MetricUnit.Milliseconds, 400);
      updaterMetrics.publishStoredMetrics();
      await forwarder.flush();
      const history = await readMetricsHistory({ cloudwatch }, 1);

      // Assess
      const total = (points: Array<{ value: number }>) => points.reduce((sum, point) => sum + point.value, 0);
      expect(total(history.webhooksAccepted.points)).toBe(3);
      expect(total(history.webhooksRefused.points)).toBe(1);
      expect(history.syncLagSeconds.points.map((point) => point.value)).toEqual([1.5]);
      expect(history.syncLagSeconds.unit).toBe('Seconds');
      cloudwatch.destroy();
    });
  });
});
