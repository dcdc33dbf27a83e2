import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent } from 'aws-lambda';
import { makeDynamoDbDeliveryLedger } from '../adapters/delivery-ledger';
import { makeBusinessCentralErp } from '../adapters/erp-business-central';
import { makeBusinessCentralSubscriptions } from '../adapters/erp-business-central-subscriptions';
import { makeEventBridgePublisher } from '../adapters/event-publisher';
import { makeSecretsManagerSigningSecrets } from '../adapters/signing-secrets';
import { ErpResourceChange } from '../core/canonical/model';
import { eventBridgeEnvelope, EventMetadata } from '../core/canonical/events';
import { extend } from '../core/zod';
import { parseJsonAs } from '../core/canonical/parse';
import { clientStateFor } from '../core/connectors/business-central';
import { makeErpChangeReader, makeSubscriptionKeeper } from '../core/erp/change-notifications';
import { makeErpGate } from '../core/erp/gate';
import { systemClock, type Clock } from '../core/ports/clock';
import type { DeliveryLedger } from '../core/ports/delivery-ledger';
import type { ErpPort, ThroughErpGate } from '../core/ports/erp';
import type { ErpCoordination } from '../core/ports/erp-coordination';
import type { ErpSubscriptionsPort } from '../core/ports/erp-subscriptions';
import type { EventPublisher } from '../core/ports/event-publisher';
import type { SigningSecrets } from '../core/ports/signing-secrets';
import { makeAwsClients } from '../shared/aws-clients';
import { ENV, jsonEnv, requiredEnv, type Environment } from '../shared/environment';
import { ERP_GATE_METRICS, erpConnectionFrom, erpCoordinationFrom } from '../shared/erp';
import type { Observability } from '../shared/lambda';
import { consumedQueueFrom, queueConsumerHandler, type ConsumedQueue } from '../shared/queue-consumer';

/** The source whose secret the subscriptions' clientState derives from. */
export const BUSINESS_CENTRAL_SOURCE = 'businesscentral';

export interface ErpNotificationsHandlerDependencies {
  observability: Observability;
  queue: ConsumedQueue;
  /** The ERP's reads and its subscriptions, built around the handler's ERP gate: each request they send books its own slot. */
  erp: ThroughErpGate<Pick<ErpPort, 'ready' | 'getOrderByResource' | 'listOrdersChanged'>>;
  subscriptions: ThroughErpGate<ErpSubscriptionsPort>;
  coordination: ErpCoordination;
  /** Told each invocation's context, so a read cut short by a crash is retried once the invocation's time is up, not days later. */
  ledger: DeliveryLedger & { registerLambdaContext(context: Context): void };
  publisher: EventPublisher;
  secrets: SigningSecrets;
  clock: Clock;
  /** Where Business Central posts; undefined clientStateSecretId: the source is off and no subscription is kept. */
  settings: { notificationUrl: string; clientStateSecretId?: string; resources: string[] };
}

const ChangeNotified = eventBridgeEnvelope(extend(EventMetadata, { data: ErpResourceChange }));

/** The erp-notifications queue's Lambda handler: change notifications to read, and the subscription check's tick. */
export const makeHandler = ({ observability, queue, erp, subscriptions, coordination, ledger, publisher, secrets, clock, settings }: ErpNotificationsHandlerDependencies) => {
  const { logger, metrics } = observability;
  const erpGate = makeErpGate({ coordination, priority: 'bulk', ready: async () => reads.ready?.(), observe: (signal) => metrics.addMetric(ERP_GATE_METRICS[signal], MetricUnit.Count, 1) });
  const reads = erp(erpGate);
  const subscriptionsThroughGate = subscriptions(erpGate);
  const read = makeErpChangeReader({
    erp: reads,
    ledger,
    publisher,
    clock,
  });
  const keepSubscriptions = async () => {
    if (!settings.clientStateSecretId) {
      logger.info('the businesscentral source has no secret in webhookSecretNames: no subscription is kept');
      return;
    }
    const [newest] = await secrets.forSource(BUSINESS_CENTRAL_SOURCE);
    if (!newest) throw new Error(`The secret of the ${BUSINESS_CENTRAL_SOURCE} source holds no value: put one (README, Deploying)`);
    const keeper = makeSubscriptionKeeper({
      subscriptions: subscriptionsThroughGate,
      notificationUrl: settings.notificationUrl,
      resources: settings.resources,
      clientStateFor: (resource) => clientStateFor(newest, resource),
      clock,
    });
    const kept = await keeper();
    metrics.addMetric('ErpSubscriptionsCreated', MetricUnit.Count, kept.created.length);
    metrics.addMetric('ErpSubscriptionsRenewed', MetricUnit.Count, kept.renewed.length);
    logger.info('Business Central subscriptions checked', { ...kept });
  };

  const consume = queueConsumerHandler(
    observability,
    queue,
    async (record) => {
      const body = JSON.parse(record.body) as Record<string, unknown>;
      // The subscription check's tick: EventBridge's own scheduled event, not a canonical one.
      if (body['detail-type'] === 'Scheduled Event' && body.source === 'aws.events') return keepSubscriptions();
      const event = parseJsonAs(ChangeNotified, record.body, 'The erp.resource.changed event');
      const { outcome, published } = await read(event.detail.data, event.detail.correlationId);
      metrics.addMetric('ErpChangesRead', MetricUnit.Count, 1);
      logger.info('ERP change notification read', { correlationId: event.detail.correlationId, resource: event.detail.data.resource, changeType: event.detail.data.changeType, outcome, published });
    },
    (record) => {
      try {
        return JSON.parse(record.body)?.detail?.correlationId;
      } catch {
        return undefined;
      }
    },
  );
  return (event: SQSEvent, context: Context) => {
    ledger.registerLambdaContext(context);
    return consume(event, context);
  };
};

/** The sales orders of the ERP's company (the base URL's `companies(<id>)`), the one resource subscribed to. */
export const subscribedResources = (erpBaseUrl: string) => {
  const company = /\/(companies\([^)]+\))\/?$/.exec(erpBaseUrl)?.[1];
  return company ? [`api/v2.0/${company}/salesOrders`] : [];
};

/** The handler's dependencies: AWS and ERP adapters named by the function's environment. */
export const dependenciesFrom = (environment: Environment, observability: Observability): ErpNotificationsHandlerDependencies => {
  const aws = makeAwsClients(observability.tracer);
  const connection = erpConnectionFrom(environment, aws);
  const subscriptionSettings = jsonEnv<{ notificationUrl?: string; clientStateSecretId?: string }>(ENV.erpSubscriptions, {}, environment);
  return {
    observability,
    queue: consumedQueueFrom(environment, aws),
    erp: (gate) => makeBusinessCentralErp({ ...connection, gate }),
    subscriptions: (gate) => makeBusinessCentralSubscriptions({ ...connection, gate }),
    coordination: erpCoordinationFrom(environment, aws),
    ledger: makeDynamoDbDeliveryLedger(aws.dynamodb(), requiredEnv(ENV.idempotencyTable, environment), { keyPrefix: environment.AWS_LAMBDA_FUNCTION_NAME }),
    publisher: makeEventBridgePublisher(aws.eventBridge(), requiredEnv(ENV.eventBusName, environment)),
    secrets: makeSecretsManagerSigningSecrets(aws.secretsManager(), subscriptionSettings.clientStateSecretId ? { [BUSINESS_CENTRAL_SOURCE]: subscriptionSettings.clientStateSecretId } : {}),
    clock: systemClock,
    settings: {
      notificationUrl: subscriptionSettings.notificationUrl ?? '',
      ...(subscriptionSettings.clientStateSecretId ? { clientStateSecretId: subscriptionSettings.clientStateSecretId } : {}),
      resources: subscribedResources(connection.baseUrl),
    },
  };
};
