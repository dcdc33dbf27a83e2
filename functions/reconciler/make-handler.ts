import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { isOwnOrderPageCursor, makeBusinessCentralErp } from '../adapters/erp-business-central';
import { makeEventBridgePublisher } from '../adapters/event-publisher';
import { makeDynamoDbReconcileRunStore } from '../adapters/reconcile-run-store';
import { makeZendeskServiceDesk } from '../adapters/service-desk-zendesk';
import { makeDynamoDbSyncStateStore } from '../adapters/sync-state-store';
import { makeErpGate } from '../core/erp/gate';
import { ValidationError } from '../core/errors';
import { makePacer, paced } from '../core/pacer';
import type { ErpPort, ThroughErpGate } from '../core/ports/erp';
import type { ErpCoordination } from '../core/ports/erp-coordination';
import type { EventPublisher } from '../core/ports/event-publisher';
import type { ReconcileRunStore } from '../core/ports/reconcile-run-store';
import type { ServiceDeskBulkReads, ServiceDeskPort } from '../core/ports/service-desk';
import type { SyncStateBatches } from '../core/ports/sync-state-store';
import { parseReconcileMessage, type ReconcileRequest } from '../core/reconciliation/reconcile-request';
import { makeReconcileRunner } from '../core/reconciliation/reconcile-runner';
import { DEFAULT_RECONCILE_SETTINGS, type ReconcileSettings } from '../core/reconciliation/reconcile-settings';
import { makeReconciler } from '../core/reconciliation/reconciler';
import { makeAwsClients } from '../shared/aws-clients';
import { ENV, jsonEnv, requiredEnv, type Environment } from '../shared/environment';
import { ERP_GATE_METRICS, erpConnectionFrom, erpCoordinationFrom } from '../shared/erp';
import { serviceDeskConnectionFrom } from '../shared/service-desk';
import type { Observability } from '../shared/lambda';
import { consumedQueueFrom, queueConsumerHandler, type ConsumedQueue } from '../shared/queue-consumer';

export interface ReconcilerHandlerDependencies {
  observability: Observability;
  queue: ConsumedQueue;
  settings: ReconcileSettings;
  /** The ERP's reads, built around the handler's ERP gate: each request they send books its own slot. */
  erp: ThroughErpGate<Pick<ErpPort, 'ready' | 'listOrdersChanged' | 'getOrder' | 'getInvoicedOrder'>>;
  /** True when an order page cursor points at this ERP (a cursor from a request must not send the adapter elsewhere). */
  ownsOrderPageCursor: (cursor: string) => boolean;
  coordination: ErpCoordination;
  /**
   * Reconciliation only reads the desk: the incremental export paced to `settings.serviceDeskExportRequestsPerMinute`,
   * other reads to `settings.serviceDeskReadsPerSecond`.
   */
  desk: Pick<ServiceDeskPort, 'findCasesForOrder'> & ServiceDeskBulkReads;
  syncState: SyncStateBatches;
  publisher: EventPublisher;
  runs: ReconcileRunStore;
  /** Sends the rest of a run to the reconciler queue, after the delay. */
  continueRun: (request: ReconcileRequest, delaySeconds: number) => Promise<void>;
}

/** The reconciler queue's Lambda handler, from its dependencies. */
export const makeHandler = ({ observability, queue, settings, erp, ownsOrderPageCursor, coordination, desk, syncState, publisher, runs, continueRun }: ReconcilerHandlerDependencies) => {
  const { logger, metrics } = observability;
  const erpGate = makeErpGate({ coordination, priority: 'bulk', ready: async () => reads.ready?.(), observe: (signal) => metrics.addMetric(ERP_GATE_METRICS[signal], MetricUnit.Count, 1) });
  const reads = erp(erpGate);
  const now = () => new Date();
  const runSlice = makeReconcileRunner({
    reconcile: makeReconciler({
      erp: {
        listOrdersChanged: (window, cursor) => {
          // Checked before the gate: a bad cursor must not take a slot or count as an ERP answer.
          if (cursor !== undefined && !ownsOrderPageCursor(cursor)) throw new ValidationError('The order page cursor does not point at this ERP.');
          return reads.listOrdersChanged(window, cursor);
        },
        getOrder: (orderId) => reads.getOrder(orderId),
        getInvoicedOrder: (orderId) => reads.getInvoicedOrder(orderId),
      },
      desk: {
        ...paced({ findCasesForOrder: desk.findCasesForOrder, getCases: desk.getCases }, makePacer({ perSecond: settings.serviceDeskReadsPerSecond })),
        ...paced({ exportCasesChanged: desk.exportCasesChanged }, makePacer({ perSecond: settings.serviceDeskExportRequestsPerMinute / 60 })),
      },
      syncState,
      publisher,
      now,
      limits: settings,
    }),
    runs,
    continueRun,
    now,
  });

  return queueConsumerHandler(
    observability,
    queue,
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
};

const continueRunOn = (sqs: SQSClient, queueUrl: string) => async (request: ReconcileRequest, delaySeconds: number) => {
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(request), DelaySeconds: delaySeconds }));
};

/** The handler's dependencies: AWS, ERP and service-desk adapters and the settings named by the function's environment. */
export const dependenciesFrom = (environment: Environment, observability: Observability): ReconcilerHandlerDependencies => {
  const aws = makeAwsClients(observability.tracer);
  const queue = consumedQueueFrom(environment, aws);
  const erpBaseUrl = requiredEnv(ENV.erpBaseUrl, environment);
  return {
    observability,
    queue,
    settings: { ...DEFAULT_RECONCILE_SETTINGS, ...jsonEnv<Partial<ReconcileSettings>>(ENV.reconcileSettings, {}, environment) },
    erp: (gate) => makeBusinessCentralErp({ ...erpConnectionFrom(environment, aws), baseUrl: erpBaseUrl, gate }),
    ownsOrderPageCursor: (cursor) => isOwnOrderPageCursor(erpBaseUrl, cursor),
    coordination: erpCoordinationFrom(environment, aws),
    desk: makeZendeskServiceDesk(serviceDeskConnectionFrom(environment, aws)),
    syncState: makeDynamoDbSyncStateStore(aws.dynamodb(), requiredEnv(ENV.syncStateTable, environment)),
    publisher: makeEventBridgePublisher(aws.eventBridge(), requiredEnv(ENV.eventBusName, environment)),
    runs: makeDynamoDbReconcileRunStore(aws.dynamodb(), requiredEnv(ENV.coordinationTable, environment)),
    continueRun: continueRunOn(aws.sqs(), queue.url),
  };
};
