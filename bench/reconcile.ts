/**
 * `npm run bench:reconcile`: seeds N orders on the local stack (ERP simulator, sync state, one linked
 * case each), injects drift into a share of them (half a lost ERP webhook, half a lost service-desk
 * update), runs `ops reconcile` the way an operator would and prints: drift found against drift
 * injected (misses, false alarms), repairs, slices, wall time, orders/s, ERP calls per 1,000 orders,
 * service-desk reads/s against the configured pace, time until every case shows the ERP state, and
 * what a second run finds. `--json` prints one JSON object instead.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { parseArgs } from 'node:util';
import * as os from 'node:os';
import { DEFAULT_FIELD_IDS } from '../functions/adapters/service-desk-zendesk';
import { makeDynamoDbSyncStateStore } from '../functions/adapters/sync-state-store';
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
      const response = await fetch(`${stack.serviceDesk.url}/api/v2/tickets.json`, {
        method: 'POST',
        body: JSON.stringify({
          ticket: {
            subject: orderId,
            custom_fields: [
              { id: DEFAULT_FIELD_IDS.orderId, value: orderId },
              { id: DEFAULT_FIELD_IDS.orderStatus, value: 'confirmed' },
              { id: DEFAULT_FIELD_IDS.orderVersion, value: '1' },
            ],
          },
        }),
      });
      caseOf.set(orderId, ((await response.json()) as { ticket: { id: number } }).ticket.id);
      const drift = i % Math.round(100 / Math.max(DRIFT_PERCENT, 0.0001)) === 0 && DRIFT_PERCENT > 0 ? (drifted.size % 2 === 0 ? 'lost-erp-webhook' : 'lost-desk-update') : undefined;
      const erpVersion = drift ? 2 : 1;
      stack.erp.setOrder(orderId, erpVersion === 2 ? 'shipped' : 'confirmed', erpVersion, modifiedAt);
      // A lost desk update leaves the sync state at v2 (the desk answered 200); a lost webhook leaves it at v1.
      const syncVersion = drift === 'lost-desk-update' ? 2 : 1;
      await store.recordErpStatus({ orderId, status: syncVersion === 2 ? 'shipped' : 'confirmed', version: syncVersion, occurredAt: modifiedAt.toISOString() }, `seed-${orderId}`, new Date());
      await store.recordServiceDeskStatus(orderId, { status: syncVersion === 2 ? 'shipped' : 'confirmed', version: syncVersion, caseIds: [String(caseOf.get(orderId))] }, new Date());
      if (drift) drifted.set(orderId, drift);
    }
    say(`seeded ${N} orders (${drifted.size} drifted) in ${round((Date.now() - seeded) / 1000)} s on ${os.cpus().length} cores`);

    // ---- first run: find and repair -----------------------------------------------------------------
    const erpCallsBefore = stack.erp.stats.calls;
    const deskCallsBefore = stack.serviceDesk.stats.calls;
    const started = Date.now();
    const first = await requestReconciliation(
      { sqs, dynamodb },
      { stage, since: new Date(hourAgo - 60_000), until: new Date(), repair: true, waitSeconds: 3600, pollMs: 200 },
    );
    const runSeconds = (Date.now() - started) / 1000;
    const erpCalls = stack.erp.stats.calls - erpCallsBefore;
    const run = first.run!;
    // Desk calls during the run are the reconciler's reads plus the updater's repairs (a read and a write per repaired case).
    const repairedAllAt = await (async () => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const behind = [...drifted.keys()].filter((orderId) => stack.serviceDesk.tickets.get(caseOf.get(orderId)!)!.custom_fields.find((f) => f.id === DEFAULT_FIELD_IDS.orderVersion)?.value !== '2');
        if (behind.length === 0) return Date.now();
        if (Date.now() > deadline) throw new Error(`${behind.length} drifted orders were not repaired within 120 s`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    const deskCalls = stack.serviceDesk.stats.calls - deskCallsBefore;

    // ---- second run: nothing left --------------------------------------------------------------------
    const second = await requestReconciliation({ sqs, dynamodb }, { stage, since: new Date(hourAgo - 60_000), until: new Date(), repair: true, waitSeconds: 3600, pollMs: 200 });

    const found = new Set(run.drifts.map((drift) => drift.orderId));
    const result = {
      orders: N,
      driftInjected: drifted.size,
      driftFound: run.drifted,
      missed: [...drifted.keys()].filter((orderId) => !found.has(orderId)).length,
      falseAlarms: run.drifts.filter((drift) => !drifted.has(drift.orderId)).length,
      repaired: run.repaired,
      slices: Math.ceil(N / PER_INVOCATION),
      runSeconds: round(runSeconds),
      ordersPerSecond: round(N / runSeconds),
      erpCalls,
      erpCallsPer1000Orders: round((erpCalls / N) * 1000),
      deskCallsDuringRun: deskCalls,
      deskReadPace: DESK_READS_PER_SECOND,
      deskReadsPerSecondObserved: round((deskCalls - 2 * drifted.size) / runSeconds),
      secondsUntilAllCasesRepaired: round((repairedAllAt - started) / 1000),
      secondRunDrifted: second.run?.drifted,
      secondRunChecked: second.run?.checked,
      cores: os.cpus().length,
    };
    if (values.json) console.log(JSON.stringify(result));
    else {
      say(`first run ${run.runId}: checked ${run.checked}, drift found ${result.driftFound} of ${result.driftInjected} injected (missed ${result.missed}, false alarms ${result.falseAlarms}), repaired ${result.repaired}`);
      say(`  ${result.runSeconds} s in about ${result.slices} slice(s) of ${PER_INVOCATION}: ${result.ordersPerSecond} orders/s`);
      say(`  ERP calls ${result.erpCalls} (${result.erpCallsPer1000Orders} per 1,000 orders; listing pages of 100 plus re-listing at slice boundaries)`);
      say(`  service-desk reads ${result.deskReadsPerSecondObserved}/s against a pace of ${DESK_READS_PER_SECOND}/s (2 reads per order: search, ticket)`);
      say(`  every drifted case shows the ERP state ${result.secondsUntilAllCasesRepaired} s after the run was requested`);
      say(`second run: checked ${result.secondRunChecked}, drift found ${result.secondRunDrifted}`);
    }
  } finally {
    sqs.destroy();
    dynamodb.destroy();
    await stack.stop();
  }
};

main().catch((error: Error) => {
  console.error(`bench:reconcile failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
