import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SyncDriftDetectedDetail } from '../../functions/core/canonical/events';
import type { ReconcileRun } from '../../functions/core/reconciliation/reconcile-run';
import { startLocalStack, type LocalStack } from '../../local/runtime';
import { signStandardWebhook } from '../../local/sign';
import { run } from '../../ops/cli';
import { reconciliationRun } from '../../ops/reconcile';
import { observeBus } from '../support/bus-observer';
import { consumerBacklog } from '../support/consumer-backlog';
import { eventually, uniqueStage, useEmulator } from '../support/emulator';
import { caseShows as caseShowsIn, linkCase as linkCaseIn } from '../support/service-desk-cases';
import { callerHeaders } from '../support/caller';

const SECRET = 'whsec_' + Buffer.from('e2e-reconcile-erp-secret').toString('base64');

/** Business Central versions an order by its lastModifiedDateTime (epoch ms): version n of an order here is n seconds after T0. */
const T0 = Date.now() - 60_000;
const V = (n: number) => T0 + n * 1000;

/**
 * Drift injected on purpose (a service-desk update lost after the desk answered 200; an ERP webhook
 * never sent), then found and repaired by reconciliation, through the ops CLI and through the schedule.
 */
describe('reconciliation on the local stack', () => {
  let stack: LocalStack;
  let stage: string;
  let endpoint: string;
  let observer: Awaited<ReturnType<typeof observeBus>>;
  let sqs: SQSClient;
  let dynamodb: DynamoDBClient;

  beforeAll(async () => {
    endpoint = useEmulator();
    stage = uniqueStage('e2e-rec');
    stack = await startLocalStack({
      port: 0,
      stage,
      emulatorEndpoint: endpoint,
      signingSecrets: { erp: [SECRET] },
      visibilityTimeoutSeconds: 5,
      // The test waits for the normal path to settle before it reconciles.
      reconcile: { graceSeconds: 0 },
    });
    observer = await observeBus(stack.resources.busName);
    sqs = new SQSClient({});
    dynamodb = new DynamoDBClient({});
  }, 60_000);
  afterAll(async () => {
    observer?.close();
    sqs?.destroy();
    dynamodb?.destroy();
    await stack?.stop();
  });

  /** The ERP changes the order, and (unless the webhook is lost) tells us. */
  const erpChanges = async (orderId: string, status: string, n: number, { sendWebhook = true } = {}) => {
    const version = stack.erp.setOrder(orderId, status, new Date(V(n)));
    if (!sendWebhook) return;
    const rawBody = JSON.stringify({ type: 'order.status.changed', timestamp: new Date().toISOString(), data: { orderId, status, version, occurredAt: new Date().toISOString() } });
    const response = await fetch(`${stack.url}/v1/webhooks/erp`, { method: 'POST', headers: signStandardWebhook(SECRET, rawBody), body: rawBody });
    expect(response.status).toBe(202);
  };
  const linkCase = (orderId: string) => linkCaseIn(stack, orderId);
  const caseShows = (caseId: number) => caseShowsIn(stack, caseId);
  const syncView = async (orderId: string) =>
    (await (await fetch(`${stack.url}/v1/orders/${orderId}/sync`, { headers: callerHeaders })).json()) as { inSync?: boolean; erp?: { version: number }; serviceDesk?: { status: string; version: number; verified: boolean; verifiedAt: string | null } };
  /**
   * Both sides of the sync state have recorded version n. The ERP side and the desk side are written by
   * different consumers, so the desk side can land first: reconciling then would also (rightly) find the
   * sync state behind.
   */
  const bothSidesRecorded = (orderId: string, n: number) =>
    eventually(() => syncView(orderId), (view) => view.erp?.version === V(n) && view.serviceDesk?.version === V(n), 8_000);
  const cli = async (...args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await run(['ops', 'reconcile', ...args, '--stage', stage, '--endpoint', endpoint], { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) });
    return { code, stdout, stderr };
  };
  const eventsOf = async (detailType: string) => (await observer.drain()).filter((event) => event['detail-type'] === detailType);

  it('finds a lost service-desk update and a lost ERP webhook, reports both states and the age, and repairs them', async () => {
    // Prepare
    // In sync: the normal path works.
    const inSyncCase = await linkCase('SO-R0');
    await erpChanges('SO-R0', 'confirmed', 1);
    await eventually(async () => caseShows(inSyncCase), (shown) => shown === `confirmed v${V(1)}`, 8_000);
    await bothSidesRecorded('SO-R0', 1);

    // Lost service-desk update: the desk answers 200 to v2 but keeps v1; the sync state records v2 as written, not verified.
    const lostUpdateCase = await linkCase('SO-R1');
    await erpChanges('SO-R1', 'confirmed', 1);
    await eventually(async () => caseShows(lostUpdateCase), (shown) => shown === `confirmed v${V(1)}`, 8_000);
    stack.serviceDesk.loseNextUpdates(1);
    await erpChanges('SO-R1', 'shipped', 2);
    await bothSidesRecorded('SO-R1', 2);
    expect(caseShows(lostUpdateCase)).toBe(`confirmed v${V(1)}`);

    // Lost ERP webhook: the ERP moved on, nobody told us.
    const lostWebhookCase = await linkCase('SO-R2');
    await erpChanges('SO-R2', 'shipped', 3, { sendWebhook: false });
    await observer.drain();

    // Act
    const first = await cli('--since', '10m', '--wait', '30');

    // Assess
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Checked 3 order\(s\) the ERP changed: 1 in sync, 0 still in flight, 2 drifted \(2 repaired\), 0 unreadable/);
    expect(first.stdout).toMatch(new RegExp(`SO-R1 .* reemitted\\s+service-desk-behind\\s+shipped v${V(2)}\\s+\\d+: confirmed v${V(1)}`));
    expect(first.stdout).toMatch(new RegExp(`SO-R2 .* reemitted\\s+sync-state-behind\\+service-desk-behind\\s+shipped v${V(3)}\\s+\\d+: - v-`));

    // Repaired through the normal, version-guarded path.
    await eventually(async () => [caseShows(lostUpdateCase), caseShows(lostWebhookCase)], ([r1, r2]) => r1 === `shipped v${V(2)}` && r2 === `shipped v${V(3)}`, 10_000);
    await eventually(() => syncView('SO-R2'), (view) => view.inSync === true, 8_000);
    expect(caseShows(inSyncCase)).toBe(`confirmed v${V(1)}`);

    const drifts: Awaited<ReturnType<typeof eventsOf>> = [];
    await eventually(async () => drifts.push(...(await eventsOf('sync.drift.detected'))), () => drifts.length >= 2);
    expect(drifts.map((event) => SyncDriftDetectedDetail.parse(event.detail).data.entity.id).sort()).toEqual(['SO-R1', 'SO-R2']);
    const lostUpdate = SyncDriftDetectedDetail.parse(drifts.find((event) => (event.detail.data as { entity: { id: string } }).entity.id === 'SO-R1')!.detail).data;
    expect(lostUpdate).toMatchObject({
      kinds: ['service-desk-behind'],
      erp: { orderId: 'SO-R1', status: 'shipped', version: V(2) },
      syncState: { erpVersion: V(2), serviceDeskVersion: V(2) },
      serviceDesk: { cases: [{ caseId: String(lostUpdateCase), status: 'confirmed', version: V(1) }] },
      repair: 'reemitted',
    });
    expect(lostUpdate.ageSeconds).toBeGreaterThanOrEqual(0);

    // A second run finds nothing left to repair.
    const second = await cli('--since', '10m', '--wait', '30', '--json');
    expect(second.code).toBe(0);
    const outcome = JSON.parse(second.stdout) as { finished: boolean; run: ReconcileRun };
    expect(outcome.finished).toBe(true);
    expect(outcome.run).toMatchObject({ status: 'done', checked: 3, inSync: 3, drifted: 0, repaired: 0, drifts: [] });
    expect(await eventsOf('order.status.changed')).toEqual([]);

    // The record of the first run can be read again later.
    const runId = /Reconciliation (\S+) /.exec(first.stdout)![1]!;
    const shown = await cli('--run', runId);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`Reconciliation ${runId}`);
  });

  it('shows a lost service-desk update as not in sync, verified when it last was, until reconciliation repairs and verifies it', async () => {
    // Prepare
    const caseId = await linkCase('SO-R5');
    await erpChanges('SO-R5', 'confirmed', 1);
    const before = await eventually(() => syncView('SO-R5'), (view) => view.inSync === true, 8_000);
    const verifiedAt = before.serviceDesk!.verifiedAt!;
    expect(verifiedAt).toEqual(expect.any(String));

    // Act: the desk answers the update of v2 with the case still at v1.
    stack.serviceDesk.loseNextUpdates(1, 'in-answer');
    await erpChanges('SO-R5', 'shipped', 2);

    // Assess
    const lost = await eventually(() => syncView('SO-R5'), (view) => view.erp?.version === V(2) && view.serviceDesk?.version === V(2), 8_000);
    expect(lost).toMatchObject({ serviceDesk: { status: 'shipped', version: V(2), verified: false, verifiedAt }, inSync: false });
    expect(caseShows(caseId)).toBe(`confirmed v${V(1)}`);

    // Act: reconciliation reads the case, finds it behind and re-emits v2.
    const repair = await cli('--since', '10m', '--wait', '30');

    // Assess
    expect(repair.code).toBe(0);
    expect(repair.stdout).toMatch(/SO-R5 .* reemitted\s+service-desk-behind/);
    const repaired = await eventually(() => syncView('SO-R5'), (view) => view.inSync === true, 10_000);
    expect(caseShows(caseId)).toBe(`shipped v${V(2)}`);
    expect(repaired.serviceDesk).toMatchObject({ status: 'shipped', version: V(2), verified: true });
    expect(repaired.serviceDesk!.verifiedAt! > verifiedAt).toBe(true);

    // Act: the next run reads the case showing v2 again.
    const confirm = await cli('--since', '10m', '--wait', '30');

    // Assess: reconciliation's read is a verification too.
    expect(confirm.code).toBe(0);
    expect(confirm.stdout).toMatch(/0 drifted/);
    expect((await syncView('SO-R5')).serviceDesk!.verifiedAt! > repaired.serviceDesk!.verifiedAt!).toBe(true);
  });

  it('reports without repairing when asked', async () => {
    // Prepare
    const caseId = await linkCase('SO-R3');
    await erpChanges('SO-R3', 'confirmed', 1, { sendWebhook: false });

    // Act
    const result = await cli('--since', '10m', '--wait', '30', '--no-repair');

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/SO-R3 .* report-only/);
    // A repair would be on the queues by the time the run is done: once they are idle, none came.
    await eventually(() => consumerBacklog(sqs, stack.resources.queues.values()), (backlog) => backlog === 0, 10_000);
    expect(caseShows(caseId)).toBe('undefined vundefined');
  });

  it('runs on the schedule: the scheduled event on the reconciler queue starts a run that repairs drift', async () => {
    // Prepare
    const caseId = await linkCase('SO-R4');
    await erpChanges('SO-R4', 'confirmed', 1);
    await eventually(async () => caseShows(caseId), (shown) => shown === `confirmed v${V(1)}`, 8_000);
    stack.serviceDesk.loseNextUpdates(1);
    await erpChanges('SO-R4', 'shipped', 2);
    await bothSidesRecorded('SO-R4', 2);
    const changedBy = Date.now();

    // What EventBridge's schedule delivers to the queue (the local stack's timer sends the same); its
    // time is whole seconds and ends the window, so it fires in a whole second after the change.
    await eventually(async () => Math.floor(Date.now() / 1000) * 1000, (second) => second > changedBy, 2_000, 20);
    const time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const scheduled = { version: '0', id: 'sched-1', 'detail-type': 'Scheduled Event', source: 'aws.events', time, region: process.env.AWS_REGION, resources: [], detail: {} };

    // Act
    await sqs.send(new SendMessageCommand({ QueueUrl: stack.resources.queues.get('reconciler')!.url, MessageBody: JSON.stringify(scheduled) }));

    // Assess
    const runId = `scheduled-${time.replace(/[^\w]/g, '')}`;
    const record = await eventually(
      () => reconciliationRun(dynamodb, stage, runId).catch(() => undefined),
      (found) => found?.status === 'done',
      15_000,
      250,
    );
    expect(record!.drifts).toEqual(expect.arrayContaining([expect.objectContaining({ orderId: 'SO-R4', kinds: ['service-desk-behind'], repair: 'reemitted' })]));
    await eventually(async () => caseShows(caseId), (shown) => shown === `shipped v${V(2)}`, 10_000);
  });

  it.each([
    ['explains a stage that is not deployed', ['--since', '1h', '--stage', 'nowhere', '--wait', '0'], 1, /No reconciler queue retail-sync-nowhere-reconciler .* is stage "nowhere" deployed/],
    ['refuses a --since that is no time or duration', ['--since', 'yesterday-ish'], 2, /--since must be an ISO-8601 time .* or a duration back from now/],
    ['requires --since', [], 2, /--since is required/],
    ['explains a run that does not exist', ['--run', 'nope'], 1, /No reconciliation run "nope"/],
  ])('%s', async (_name, options, code, message) => {
    // Prepare
    let stderr = '';
    const io = { stdout: () => undefined, stderr: (text: string) => void (stderr += text) };
    const args = options.includes('--stage') ? options : [...options, '--stage', stage];

    // Act
    const exitCode = await run(['ops', 'reconcile', ...args, '--endpoint', endpoint], io);

    // Assess
    expect(exitCode).toBe(code);
    expect(stderr).toMatch(message);
  });
});
