/**
 * `npm run bench:reconcile`: seeds N orders on the local stack (ERP simulator, sync state, one linked
 * case each), injects drift into a share of them (half a lost ERP webhook, half a lost service-desk
 * update), then runs `ops reconcile` the way an operator would, three times: a report-only run (the
 * reconciler is then the only one calling the desk, so its reads are counted alone), a repair run, and
 * a run that should find nothing. Every figure is counted: drift found from the `sync.drift.detected`
 * events on the bus (all of them, not the run record's first 100), slices from the run's slice records,
 * repairs from the run record, ERP and desk calls (per route) from the simulators, the time until every
 * drifted case shows the ERP state from the cases. `--json` prints one JSON object instead.
 *
 * Seeding goes around the APIs, so 10,000 orders seed in seconds: orders straight into the ERP
 * simulator, cases straight into the desk simulator (`seedTicket`, last changed just after their order's
 * change, as the updater leaves them), the sync state through its adapter, many writes at once.
 */
import { parseBenchArgs } from './figures';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type BatchWriteCommandInput, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import * as os from 'node:os';
import { DEFAULT_FIELD_IDS } from '../functions/adapters/service-desk-zendesk';
import { DEFAULT_RECONCILE_SETTINGS } from '../functions/core/reconciliation/reconcile-settings';
import { makeDynamoDbSyncStateStore } from '../functions/adapters/sync-state-store';
import { startLocalStack } from '../local/runtime';
import { requestReconciliation } from '../ops/reconcile';

// The reconciler logs every drift at WARN; the figures are what this prints.
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';

const USAGE =
  'Usage: npm run bench:reconcile -- [--orders 1000] [--drift-percent 10] [--orders-per-invocation 5000] [--desk-reads-per-second 2] [--export-per-minute 10] [--erp-rate 20] [--period-minutes 15] [--report-only] [--json]';
const { values } = parseBenchArgs(
  {
    orders: { type: 'string', default: '1000' },
    'drift-percent': { type: 'string', default: '10' },
    'orders-per-invocation': { type: 'string', default: String(DEFAULT_RECONCILE_SETTINGS.maxOrdersPerInvocation) },
    'desk-reads-per-second': { type: 'string', default: String(DEFAULT_RECONCILE_SETTINGS.serviceDeskReadsPerSecond) },
    'export-per-minute': { type: 'string', default: String(DEFAULT_RECONCILE_SETTINGS.serviceDeskExportRequestsPerMinute) },
    'erp-rate': { type: 'string', default: '20' },
    'period-minutes': { type: 'string', default: '15' },
    'report-only': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
  USAGE,
);
const N = Number(values.orders);
const DRIFT_PERCENT = Number(values['drift-percent']);
const PER_INVOCATION = Number(values['orders-per-invocation']);
const DESK_READS_PER_SECOND = Number(values['desk-reads-per-second']);
const EXPORT_PER_MINUTE = Number(values['export-per-minute']);
const ERP_RATE = Number(values['erp-rate']);
const PERIOD_MINUTES = Number(values['period-minutes']);
if (![N, PER_INVOCATION, DESK_READS_PER_SECOND, EXPORT_PER_MINUTE, ERP_RATE, PERIOD_MINUTES].every((value) => Number.isFinite(value) && value > 0) || !(DRIFT_PERCENT >= 0 && DRIFT_PERCENT <= 100)) {
  console.error(USAGE);
  process.exit(2);
}
const say = (line: string) => {
  if (!values.json) console.log(line);
};
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Subscribes a queue to the bus's `sync.drift.detected` events, to count every drift a run reports. */
const observeDrifts = async (sqs: SQSClient, events: EventBridgeClient, busName: string) => {
  const name = `${busName}-bench-drifts`;
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  await events.send(new PutRuleCommand({ Name: name, EventBusName: busName, EventPattern: JSON.stringify({ 'detail-type': ['sync.drift.detected'] }) }));
  await events.send(new PutTargetsCommand({ Rule: name, EventBusName: busName, Targets: [{ Id: 'bench', Arn: arn }] }));
  return {
    /** Takes every drift event delivered so far off the queue (a slice retried reports again: callers count distinct orders). */
    async drain(): Promise<Array<{ runId: string; orderId: string }>> {
      const drained = [];
      for (;;) {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
        if (Messages.length === 0) return drained;
        for (const message of Messages) {
          const data = JSON.parse(message.Body!).detail.data as { runId: string; entity: { id: string } };
          drained.push({ runId: data.runId, orderId: data.entity.id });
        }
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
      }
    },
  };
};

const main = async () => {
  const stage = `bench-rec-${process.pid}`;
  const stack = await startLocalStack({
    port: 0,
    stage,
    signingSecrets: {},
    erp: { requestsPerSecond: ERP_RATE },
    erpRequestsPerSecond: ERP_RATE,
    reconcile: { graceSeconds: 0, maxOrdersPerInvocation: PER_INVOCATION, serviceDeskReadsPerSecond: DESK_READS_PER_SECOND, serviceDeskExportRequestsPerMinute: EXPORT_PER_MINUTE, maxRepairsPerRun: N },
  });
  const sqs = new SQSClient({});
  const dynamodb = new DynamoDBClient({});
  const events = new EventBridgeClient({});
  try {
    // ---- seed: every order at v1 everywhere, then drift on a share of them --------------------------
    const store = makeDynamoDbSyncStateStore(dynamodb, stack.resources.syncStateTable);
    const hourAgo = Date.now() - 3600_000;
    const drifted = new Map<string, 'lost-erp-webhook' | 'lost-desk-update'>();
    const caseOf = new Map<string, number>();
    const versionsOf = new Map<string, { v1: number; v2: number }>();
    const seeded = Date.now();
    const items: Array<Record<string, unknown>> = [];
    const documents = DynamoDBDocumentClient.from(dynamodb);
    for (let i = 0; i < N; i++) {
      const orderId = `SO-${String(i).padStart(6, '0')}`;
      const modifiedAt = new Date(hourAgo + Math.floor((i / N) * 3000_000));
      // Business Central versions an order by its lastModifiedDateTime (epoch ms): v1 a second before v2.
      const [v1, v2] = [modifiedAt.getTime() - 1000, modifiedAt.getTime()];
      versionsOf.set(orderId, { v1, v2 });
      const drift = i % Math.round(100 / Math.max(DRIFT_PERCENT, 0.0001)) === 0 && DRIFT_PERCENT > 0 ? (drifted.size % 2 === 0 ? 'lost-erp-webhook' : 'lost-desk-update') : undefined;
      // The case shows v1; the updater last changed it just after v1 (or, for a lost desk update, after v2: the undone write).
      caseOf.set(
        orderId,
        stack.serviceDesk.seedTicket({
          subject: orderId,
          custom_fields: [
            { id: DEFAULT_FIELD_IDS.orderId, value: orderId },
            { id: DEFAULT_FIELD_IDS.orderStatus, value: 'confirmed' },
            { id: DEFAULT_FIELD_IDS.orderVersion, value: String(v1) },
          ],
          updatedAt: new Date((drift === 'lost-desk-update' ? v2 : v1) + 500),
        }),
      );
      const erpVersion = drift ? v2 : v1;
      stack.erp.setOrder(orderId, erpVersion === v2 ? 'shipped' : 'confirmed', new Date(erpVersion));
      // A lost desk update leaves the sync state at v2, unverified (the desk's answer did not show it); a lost webhook leaves it at v1.
      const syncVersion = drift === 'lost-desk-update' ? v2 : v1;
      const status = syncVersion === v2 ? 'shipped' : 'confirmed';
      const at = new Date().toISOString();
      // The item the sync-state adapter writes (its recordErpStatus and recordServiceDeskStatus), put 25 at a time.
      items.push({
        pk: `ORDER#${orderId}`,
        entityType: 'order',
        orderId,
        erpStatus: status,
        erpVersion: syncVersion,
        erpOccurredAt: new Date(syncVersion).toISOString(),
        erpUpdatedAt: at,
        erpEventId: `seed-${orderId}`,
        deskStatus: status,
        deskVersion: syncVersion,
        deskCaseIds: [String(caseOf.get(orderId))],
        deskUpdatedAt: at,
        deskVerified: drift !== 'lost-desk-update',
        ...(drift !== 'lost-desk-update' ? { deskVerifiedAt: at } : {}),
      });
      if (drift) drifted.set(orderId, drift);
    }
    for (let start = 0; start < items.length; start += 25) {
      let unprocessed: BatchWriteCommandInput['RequestItems'] = { [stack.resources.syncStateTable]: items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } })) };
      while (unprocessed && Object.keys(unprocessed).length > 0) unprocessed = (await documents.send(new BatchWriteCommand({ RequestItems: unprocessed }))).UnprocessedItems;
    }
    // What the adapter reads back is what it would have written.
    const sample = await store.getOrder('SO-000001');
    if (sample?.erp?.version !== versionsOf.get('SO-000001')!.v1 || sample.serviceDesk?.caseIds[0] !== String(caseOf.get('SO-000001'))) throw new Error(`seeded sync state reads back wrong: ${JSON.stringify(sample)}`);
    say(`seeded ${N} orders (${drifted.size} drifted) in ${round((Date.now() - seeded) / 1000)} s on ${os.cpus().length} cores`);

    // ---- every drift the reconciler reports, read off the bus -----------------------------------------
    const drifts = await observeDrifts(sqs, events, stack.resources.busName);
    const countSlices = async (runId: string) => {
      let slices = 0;
      let ExclusiveStartKey: Record<string, never> | undefined;
      do {
        const page = await dynamodb.send(
          new ScanCommand({
            TableName: stack.resources.coordinationTable,
            FilterExpression: 'begins_with(pk, :prefix)',
            ExpressionAttributeValues: { ':prefix': { S: `RECONCILE#${runId}#SLICE#` } },
            Select: 'COUNT',
            ExclusiveStartKey,
          }),
        );
        slices += page.Count ?? 0;
        ExclusiveStartKey = page.LastEvaluatedKey as typeof ExclusiveStartKey;
      } while (ExclusiveStartKey);
      return slices;
    };
    const reconcile = async (repair: boolean) => {
      const erpCallsBefore = stack.erp.stats.calls;
      const deskCallsBefore = stack.serviceDesk.stats.calls;
      const deskRoutesBefore = { ...stack.serviceDesk.stats.byRoute };
      const started = Date.now();
      const outcome = await requestReconciliation({ sqs, dynamodb }, { stage, since: new Date(hourAgo - 60_000), until: new Date(), repair, waitSeconds: 3600, pollMs: 200 });
      const seconds = (Date.now() - started) / 1000;
      if (!outcome.finished || !outcome.run) throw new Error(`run ${outcome.runId} did not finish`);
      const reported = new Set((await drifts.drain()).filter((drift) => drift.runId === outcome.runId).map((drift) => drift.orderId));
      return {
        run: outcome.run,
        started,
        seconds,
        slices: await countSlices(outcome.runId),
        erpCalls: stack.erp.stats.calls - erpCallsBefore,
        deskCalls: stack.serviceDesk.stats.calls - deskCallsBefore,
        deskCallsByRoute: Object.fromEntries(
          Object.entries(stack.serviceDesk.stats.byRoute)
            .map(([route, count]) => [route, count - (deskRoutesBefore[route] ?? 0)] as const)
            .filter(([, count]) => count > 0),
        ),
        reported,
      };
    };

    // ---- first run, report only: what it finds, and its own pace on the desk ----------------------------
    const report = await reconcile(false);

    if (values['report-only']) {
      const seconds = report.seconds;
      const figures = {
        orders: N,
        driftInjected: drifted.size,
        driftFound: report.reported.size,
        missed: [...drifted.keys()].filter((orderId) => !report.reported.has(orderId)).length,
        falseAlarms: [...report.reported].filter((orderId) => !drifted.has(orderId)).length,
        checked: report.run.checked,
        slices: report.slices,
        runSeconds: round(seconds),
        ordersPerSecond: round(report.run.checked / seconds),
        runShareOfPeriod: round(seconds / (PERIOD_MINUTES * 60), 3),
        erpCalls: report.erpCalls,
        erpCallsPer1000Orders: round((report.erpCalls / report.run.checked) * 1000),
        deskReads: report.deskCalls,
        deskReadsPer1000Orders: round((report.deskCalls / report.run.checked) * 1000),
        deskReadsByRoute: report.deskCallsByRoute,
      };
      console.log(JSON.stringify(figures));
      return;
    }

    // ---- second run: find and repair; repairs travel the normal path to the cases ------------------------
    const repair = await reconcile(true);
    const repairedAllAt = await (async () => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const behind = [...drifted.keys()].filter(
          (orderId) => stack.serviceDesk.tickets.get(caseOf.get(orderId)!)!.custom_fields.find((f) => f.id === DEFAULT_FIELD_IDS.orderVersion)?.value !== String(versionsOf.get(orderId)!.v2),
        );
        if (behind.length === 0) return Date.now();
        if (Date.now() > deadline) throw new Error(`${behind.length} drifted orders were not repaired within 120 s`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();

    // ---- third run: nothing left ----------------------------------------------------------------------
    const last = await reconcile(true);

    const result = {
      orders: N,
      driftInjected: drifted.size,
      driftFound: report.reported.size,
      driftRecorded: report.run.drifted,
      missed: [...drifted.keys()].filter((orderId) => !report.reported.has(orderId)).length,
      falseAlarms: [...report.reported].filter((orderId) => !drifted.has(orderId)).length,
      checked: report.run.checked,
      slices: report.slices,
      runSeconds: round(report.seconds),
      ordersPerSecond: round(report.run.checked / report.seconds),
      runShareOfPeriod: round(report.seconds / (PERIOD_MINUTES * 60), 3),
      erpCalls: report.erpCalls,
      erpCallsPer1000Orders: round((report.erpCalls / report.run.checked) * 1000),
      deskReads: report.deskCalls,
      deskReadsPer1000Orders: round((report.deskCalls / report.run.checked) * 1000),
      deskReadsByRoute: report.deskCallsByRoute,
      deskReadPace: DESK_READS_PER_SECOND,
      deskExportPacePerMinute: EXPORT_PER_MINUTE,
      repairRunSeconds: round(repair.seconds),
      repairRunSlices: repair.slices,
      repairRunDriftFound: repair.reported.size,
      repaired: repair.run.repaired,
      repairRunDeskCalls: repair.deskCalls,
      secondsUntilAllCasesRepaired: round((repairedAllAt - repair.started) / 1000),
      lastRunChecked: last.run.checked,
      lastRunDriftFound: last.reported.size,
      cores: os.cpus().length,
    };
    if (values.json) console.log(JSON.stringify(result));
    else {
      say(`report-only run ${report.run.runId}: checked ${result.checked}, drift found ${result.driftFound} of ${result.driftInjected} injected (missed ${result.missed}, false alarms ${result.falseAlarms}; run record: ${result.driftRecorded})`);
      say(`  ${result.runSeconds} s in ${result.slices} slice(s) of at most ${PER_INVOCATION} orders: ${result.ordersPerSecond} orders/s, ${round(result.runShareOfPeriod * 100)}% of a ${PERIOD_MINUTES}-minute period`);
      say(`  ERP calls ${result.erpCalls} (${result.erpCallsPer1000Orders} per 1,000 orders checked)`);
      say(`  service-desk reads ${result.deskReads} (${result.deskReadsPer1000Orders} per 1,000 orders checked; export paced at ${EXPORT_PER_MINUTE}/min, other reads at ${DESK_READS_PER_SECOND}/s)`);
      for (const [route, count] of Object.entries(result.deskReadsByRoute)) say(`    ${route}: ${count}`);
      say(`repair run ${repair.run.runId}: drift found ${result.repairRunDriftFound}, repaired ${result.repaired}, ${result.repairRunSeconds} s in ${result.repairRunSlices} slice(s), ${result.repairRunDeskCalls} desk calls (reconciler reads and updater repairs)`);
      say(`  every drifted case shows the ERP state ${result.secondsUntilAllCasesRepaired} s after the repair run was requested`);
      say(`last run: checked ${result.lastRunChecked}, drift found ${result.lastRunDriftFound}`);
    }
  } finally {
    sqs.destroy();
    dynamodb.destroy();
    events.destroy();
    await stack.stop();
  }
};

main().catch((error: Error) => {
  console.error(`bench:reconcile failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
