import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { isOwnOrderPageCursor, makeBusinessCentralErp } from '../adapters/erp-business-central';
import { ValidationError } from '../core/errors';
import { makeEventBridgePublisher } from '../adapters/event-publisher';
import { makeDynamoDbReconcileRunStore } from '../adapters/reconcile-run-store';
import { DEFAULT_FIELD_IDS, makeZendeskServiceDesk } from '../adapters/service-desk-zendesk';
import { makeDynamoDbSyncStateStore } from '../adapters/sync-state-store';
import { makeErpGate } from '../core/erp/gate';
import { makePacer, paced } from '../core/pacer';
import type { ServiceDeskPort } from '../core/ports/service-desk';
import { makeAwsClients } from '../shared/aws-clients';
import { ENV, jsonEnv, requiredEnv } from '../shared/environment';
import { ERP_GATE_METRICS, erpCoordinationFromEnvironment } from '../shared/erp';
import { makeObservability } from '../shared/lambda';
import { queueConsumerHandler } from '../shared/queue-consumer';
import { parseReconcileMessage } from '../core/reconciliation/reconcile-request';
import { makeReconcileRunner } from '../core/reconciliation/reconcile-runner';
import { DEFAULT_RECONCILE_SETTINGS, type ReconcileSettings } from '../core/reconciliation/reconcile-settings';
import { makeReconciler } from '../core/reconciliation/reconciler';

const observability = makeObservability();
const { logger, metrics } = observability;
const aws = makeAwsClients(observability.tracer);
const settings: ReconcileSettings = { ...DEFAULT_RECONCILE_SETTINGS, ...jsonEnv<Partial<ReconcileSettings>>(ENV.reconcileSettings, {}) };
const queueUrl = requiredEnv(ENV.queueUrl);
const erpBaseUrl = requiredEnv(ENV.erpBaseUrl);
const erp = makeBusinessCentralErp({ baseUrl: erpBaseUrl });
const erpGate = makeErpGate({
  coordination: erpCoordinationFromEnvironment(aws),
  observe: (signal) => metrics.addMetric(ERP_GATE_METRICS[signal], MetricUnit.Count, 1),
});
const now = () => new Date();
/** Reconciliation only reads the desk. */
const pickReads = ({ findCasesForOrder, getCase }: ServiceDeskPort) => ({ findCasesForOrder, getCase });
const runSlice = makeReconcileRunner({
  reconcile: makeReconciler({
    erp: {
      listOrdersChanged: (window, cursor) => {
        // Checked before the gate: a bad cursor must not take a slot or count as an ERP answer.
        if (cursor !== undefined && !isOwnOrderPageCursor(erpBaseUrl, cursor)) throw new ValidationError('The order page cursor does not point at this ERP.');
        return erpGate(() => erp.listOrdersChanged(window, cursor));
      },
      getOrder: (orderId) => erpGate(() => erp.getOrder(orderId)),
    },
    desk: paced(
      pickReads(makeZendeskServiceDesk({ baseUrl: requiredEnv(ENV.serviceDeskBaseUrl), fieldIds: jsonEnv(ENV.serviceDeskFieldIds, DEFAULT_FIELD_IDS) })),
      makePacer({ perSecond: settings.serviceDeskReadsPerSecond }),
    ),
    syncState: makeDynamoDbSyncStateStore(aws.dynamodb(), requiredEnv(ENV.syncStateTable)),
    publisher: makeEventBridgePublisher(aws.eventBridge(), requiredEnv(ENV.eventBusName)),
    now,
    limits: settings,
  }),
  runs: makeDynamoDbReconcileRunStore(aws.dynamodb(), requiredEnv(ENV.coordinationTable)),
  continueRun: async (request, delaySeconds) => {
    await aws.sqs().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(request), DelaySeconds: delaySeconds }));
  },
  now,
});

export const handler = queueConsumerHandler(
  observability,
  aws,
  async (record) => {
    const request = parseReconcileMessage(record.body, settings);
    const report = await runSlice(request);
    if (report.duplicate) {
      logger.info('reconciliation slice already done; duplicate delivery skipped', { runId: request.runId, slice: report.pageKey });
      return;
    }
    const unrepaired = report.drifts.length - report.repaired;
    metrics.addMetric('OrdersReconciled', MetricUnit.Count, report.checked);
    metrics.addMetric('DriftDetected', MetricUnit.Count, report.drifts.length);
    metrics.addMetric('DriftRepaired', MetricUnit.Count, report.repaired);
    metrics.addMetric('DriftUnrepaired', MetricUnit.Count, unrepaired);
    metrics.addMetric('ReconcileUnreadable', MetricUnit.Count, report.unreadable.length);
    for (const drift of report.drifts) {
      logger.warn('drift detected', { correlationId: `${drift.runId}/${drift.entity.id}`, orderId: drift.entity.id, kinds: drift.kinds, erp: drift.erp, syncState: drift.syncState, cases: drift.serviceDesk.cases, ageSeconds: drift.ageSeconds, repair: drift.repair });
    }
    for (const order of report.unreadable) logger.error('order could not be reconciled', { runId: request.runId, ...order });
    logger.info('reconciliation slice done', {
      runId: request.runId,
      since: request.since,
      until: request.until,
      checked: report.checked,
      inSync: report.inSync,
      inFlight: report.inFlight,
      drifted: report.drifts.length,
      repaired: report.repaired,
      continuesAt: report.continueAt,
    });
  },
  (record) => {
    try {
      return JSON.parse(record.body)?.runId;
    } catch {
      return undefined;
    }
  },
);
