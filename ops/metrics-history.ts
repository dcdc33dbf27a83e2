/**
 * The metrics the functions emit (Powertools, namespace `RetailSync`) over the last hours, read with
 * CloudWatch GetMetricData: in AWS from CloudWatch, locally from the emulator's CloudWatch, to which the
 * local stack forwards every metric its handlers emit (local/metrics-forwarder.ts). One code path.
 */
import { GetMetricDataCommand, ListMetricsCommand, type Dimension, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { FUNCTIONS, METRICS_NAMESPACE } from '../lib/topology';
import type { OpsConnection } from './connection';
import { explainAwsError } from './errors';

export interface Series {
  name: string;
  unit: string;
  points: Array<{ t: string; value: number }>;
}

/** Ingest outcomes that accepted the delivery (202) and those that refused a sender's mistake (4xx); `handshake` and `error` are neither. */
export const ACCEPTED_OUTCOMES = ['accepted', 'duplicate', 'unmapped'];
export const REFUSED_OUTCOMES = ['unknown-source', 'signature-invalid', 'validation', 'payload-too-large', 'unsupported-media-type', 'delivery-conflict', 'delivery-in-progress'];

type Conn = Pick<OpsConnection, 'cloudwatch'>;

/** Every series (dimension set) of a metric in the namespace that has this `service`. */
const seriesOf = async (conn: Conn, metricName: string, service: string): Promise<Dimension[][]> => {
  const found: Dimension[][] = [];
  let nextToken: string | undefined;
  do {
    const page = await conn.cloudwatch.send(new ListMetricsCommand({ Namespace: METRICS_NAMESPACE, MetricName: metricName, Dimensions: [{ Name: 'service', Value: service }], NextToken: nextToken }));
    found.push(...(page.Metrics ?? []).map((metric) => metric.Dimensions ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return found;
};

/** Runs the queries (at most 500 per call, as CloudWatch takes) and returns each query's points by id. */
const metricData = async (conn: Conn, queries: MetricDataQuery[], start: Date, end: Date): Promise<Map<string, Map<number, number>>> => {
  const byId = new Map<string, Map<number, number>>(queries.map((query) => [query.Id!, new Map()]));
  for (let offset = 0; offset < queries.length; offset += 500) {
    let nextToken: string | undefined;
    do {
      const page = await conn.cloudwatch.send(
        new GetMetricDataCommand({ MetricDataQueries: queries.slice(offset, offset + 500), StartTime: start, EndTime: end, ScanBy: 'TimestampAscending', NextToken: nextToken }),
      );
      for (const result of page.MetricDataResults ?? []) {
        const points = byId.get(result.Id!)!;
        (result.Timestamps ?? []).forEach((timestamp, index) => points.set(timestamp.getTime(), (points.get(timestamp.getTime()) ?? 0) + (result.Values?.[index] ?? 0)));
      }
      nextToken = page.NextToken;
    } while (nextToken);
  }
  return byId;
};

const metricStat = (id: string, metricName: string, dimensions: Dimension[], stat: string, period: number): MetricDataQuery => ({
  Id: id,
  MetricStat: { Metric: { Namespace: METRICS_NAMESPACE, MetricName: metricName, Dimensions: dimensions }, Period: period, Stat: stat },
  ReturnData: true,
});

/** Adds up the points of several queries per timestamp. */
const summed = (byId: Map<string, Map<number, number>>, ids: string[]): Map<number, number> => {
  const total = new Map<number, number>();
  for (const id of ids) for (const [t, value] of byId.get(id) ?? []) total.set(t, (total.get(t) ?? 0) + value);
  return total;
};

const toPoints = (points: Map<number, number>, scale = 1) =>
  [...points.entries()].sort(([a], [b]) => a - b).map(([t, value]) => ({ t: new Date(t).toISOString(), value: value * scale }));

/** One point per period; about 60 points over the window, whole minutes. */
export const periodFor = (hours: number) => Math.max(60, Math.ceil(hours) * 60);

/**
 * Sync lag (the updater's `ServiceDeskSyncLag`, maximum per period, in seconds) and webhooks accepted and
 * refused (`WebhookReceived` of every source, summed per period) over the last `hours`.
 *
 * @example
 * const { syncLagSeconds, webhooksAccepted } = await readMetricsHistory(conn, 6);
 * syncLagSeconds.points; // [{ t: '2026-11-27T09:00:00.000Z', value: 1.4 }, …]
 */
export async function readMetricsHistory(conn: Conn, hours: number, now: Date = new Date()): Promise<{ syncLagSeconds: Series; webhooksAccepted: Series; webhooksRefused: Series }> {
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 15) throw new RangeError(`hours must be above 0 and at most 360 (CloudWatch keeps 1-minute data 15 days); got ${hours}`);
  const period = periodFor(hours);
  const end = new Date(Math.ceil(now.getTime() / 60_000) * 60_000);
  const start = new Date(end.getTime() - hours * 3_600_000);
  try {
    const ingest = FUNCTIONS.webhookIngest.serviceName;
    const webhookSeries = await seriesOf(conn, 'WebhookReceived', ingest);
    const outcomeOf = (dimensions: Dimension[]) => dimensions.find((dimension) => dimension.Name === 'outcome')?.Value ?? '';
    const webhookQueries = webhookSeries.map((dimensions, index) => ({ outcome: outcomeOf(dimensions), query: metricStat(`webhooks${index}`, 'WebhookReceived', dimensions, 'Sum', period) }));
    const lag = metricStat('lag', 'ServiceDeskSyncLag', [{ Name: 'service', Value: FUNCTIONS.serviceDeskUpdater.serviceName }], 'Maximum', period);
    const byId = await metricData(conn, [lag, ...webhookQueries.map(({ query }) => query)], start, end);
    const idsOf = (outcomes: string[]) => webhookQueries.filter(({ outcome }) => outcomes.includes(outcome)).map(({ query }) => query.Id!);
    return {
      syncLagSeconds: { name: 'ServiceDeskSyncLag (maximum)', unit: 'Seconds', points: toPoints(byId.get('lag')!, 1 / 1000) },
      webhooksAccepted: { name: `WebhookReceived (${ACCEPTED_OUTCOMES.join(', ')})`, unit: 'Count', points: toPoints(summed(byId, idsOf(ACCEPTED_OUTCOMES))) },
      webhooksRefused: { name: `WebhookReceived (${REFUSED_OUTCOMES.join(', ')})`, unit: 'Count', points: toPoints(summed(byId, idsOf(REFUSED_OUTCOMES))) },
    };
  } catch (error) {
    throw explainAwsError(error, 'read the metrics from CloudWatch (cloudwatch:GetMetricData, cloudwatch:ListMetrics)');
  }
}

/** The sum of a metric over [start, end) across the given services (e.g. ERP budget slots booked by every ERP caller). */
export const sumOverServices = async (conn: Conn, metricName: string, services: string[], start: Date, end: Date): Promise<number> => {
  const seconds = Math.max(60, Math.round((end.getTime() - start.getTime()) / 60_000) * 60);
  const queries = services.map((service, index) => metricStat(`s${index}`, metricName, [{ Name: 'service', Value: service }], 'Sum', seconds));
  try {
    const byId = await metricData(conn, queries, start, end);
    return [...byId.values()].reduce((total, points) => total + [...points.values()].reduce((sum, value) => sum + value, 0), 0);
  } catch (error) {
    throw explainAwsError(error, `read ${metricName} from CloudWatch (cloudwatch:GetMetricData)`);
  }
};
