/**
 * `npm run bench:reconcile`: seeds N orders on the local stack (ERP simulator, sync state, one linked
 * case each), injects drift into a share of them (half a lost ERP webhook, half a lost service-desk
 * update), then runs `ops reconcile` the way an operator would, three times: a report-only run (the
 * reconciler is then the only one calling the desk, so its reads are counted alone), a repair run, and
 * a run that should find nothing. Every figure is counted: drift found from the `sync.drift.detected`
 * events on the bus (all of them, not the run record's first 100), slices from the run's slice records,
 * repairs from the run record, ERP and desk calls from the simulators, the time until every drifted
 * case shows the ERP state from the cases. `--json` prints one JSON object instead.
 */
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parseArgs } from 'node:util';
import * as os from 'node:os';
import { DEFAULT_FIELD_IDS } from '../functions/adapters/service-desk-zendesk';
import { makeDynamoDbSyncStateStore } from '../functions/adapters/sync-state-store';
import { LOCAL_SERVICE_DESK_AUTHORIZATION } from '../local/dev-credentials';
import { startLocalStack } from '../local/runtime';
import { requestReconciliation } from '../ops/reconcile';

// The reconciler logs every drift at WARN; the figures are what this prints.
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '600' },
    'drift-percent': { type: 'string', default: '10' },
    'orders-per-invocation': { type: 'string', default: '200' },
    'desk-reads-per-second': { type: 'string', default: '40' },
    'erp-rate': { type: 'string', default: '20' },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(values.orders);
const DRIFT_PERCENT = Number(values['drift-percent']);
const PER_INVOCATION = Number(values['orders-per-invocation']);
const DESK_READS_PER_SECOND = Number(values['desk-reads-per-second']);
const ERP_RATE = Number(values['erp-rate']);
if (![N, PER_INVOCATION, DESK_READS_PER_SECOND, ERP_RATE].every((value) => Number.isFinite(value) && value > 0) || !(DRIFT_PERCENT >= 0 && DRIFT_PERCENT <= 100)) {
  console.error('Usage: npm run bench:reconcile -- [--orders 600] [--drift-percent 10] [--orders-per-invocation 200] [--desk-reads-per-second 40] [--erp-rate 20] [--json]');
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
    reconcile: { graceSeconds: 0, maxOrdersPerInvocation: PER_INVOCATION, serviceDeskReadsPerSecond: DESK_READS_PER_SECOND, maxRepairsPerRun: N },
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
    const seeded = Date.now();
    for (let i = 0; i < N; i++) {
      const orderId = `SO-${String(i).padStart(6, '0')}`;
      const modifiedAt = new Date(hourAgo + Math.floor((i / N) * 3000_000));
      // Business Central versions an order by its lastModifiedDateTime (epoch ms): v1 a second before v2.
      const [v1, v2] = [modifiedAt.getTime() - 1000, modifiedAt.getTime()];
      const response = await fetch(`${stack.serviceDesk.url}/api/v2/tickets.json`, {
        method: 'POST',
        // The local desk wants the local stack's API token, as Zendesk wants one.
        headers: { authorization: LOCAL_SERVICE_DESK_AUTHORIZATION },
        body: JSON.stringify({
          ticket: {
            subject: orderId,
            custom_fields: [
              { id: DEFAULT_FIELD_IDS.orderId, value: orderId },
              { id: DEFAULT_FIELD_IDS.orderStatus, value: 'confirmed' },
              { id: DEFAULT_FIELD_IDS.orderVersion, value: String(v1) },
            ],
          },
        }),
      });
      caseOf.set(orderId, ((await response.json()) as { ticket: { id: number } }).ticket.id);
      const drift = i % Math.round(100 / Math.max(DRIFT_PERCENT, 0.0001)) === 0 && DRIFT_PERCENT > 0 ? (drifted.size % 2 === 0 ? 'lost-erp-webhook' : 'lost-desk-update') : undefined;
      const erpVersion = drift ? v2 : v1;
      stack.erp.setOrder(orderId, erpVersion === v2 ? 'shipped' : 'confirmed', new Date(erpVersion));
      // A lost desk update leaves the sync state at v2, unverified (the desk's answer did not show it); a lost webhook leaves it at v1.
      const syncVersion = drift === 'lost-desk-update' ? v2 : v1;
      await store.recordErpStatus({ orderId, status: syncVersion === v2 ? 'shipped' : 'confirmed', version: syncVersion, occurredAt: new Date(syncVersion).toISOString() }, `seed-${orderId}`, new Date());
      await store.recordServiceDeskStatus(orderId, { status: syncVersion === v2 ? 'shipped' : 'confirmed', version: syncVersion, caseIds: [String(caseOf.get(orderId))], verified: drift !== 'lost-desk-update' }, new Date());
      if (drift) drifted.set(orderId, drift);
    }
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
        reported,
      };
    };

    // ---- first run, report only: what it finds, and its own pace on the desk ----------------------------
    const report = await reconcile(false);

    // ---- second run: find and repair; repairs travel the normal path to the cases ------------------------
    const repair = await reconcile(true);
    const repairedAllAt = await (async () => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const behind = [...drifted.keys()].filter((orderId) => stack.serviceDesk.tickets.get(caseOf.get(orderId)!)!.custom_fields.find((f) => f.id === DEFAULT_FIELD_IDS.orderVersion)?.value !== '2');
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
      erpCalls: report.erpCalls,
      erpCallsPer1000Orders: round((report.erpCalls / report.run.checked) * 1000),
      deskReads: report.deskCalls,
      deskReadPace: DESK_READS_PER_SECOND,
      deskReadsPerSecondObserved: round(report.deskCalls / report.seconds),
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
      say(`  ${result.runSeconds} s in ${result.slices} slice(s) of at most ${PER_INVOCATION} orders: ${result.ordersPerSecond} orders/s`);
      say(`  ERP calls ${result.erpCalls} (${result.erpCallsPer1000Orders} per 1,000 orders checked)`);
      say(`  service-desk reads ${result.deskReads}: ${result.deskReadsPerSecondObserved}/s against a pace of ${DESK_READS_PER_SECOND}/s`);
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
