/**
 * The local stack's CloudWatch: every metric a handler emits through Powertools (an EMF line that
 * Lambda's log pipeline would turn into CloudWatch metrics) is sent to the emulator's CloudWatch with
 * PutMetricData, so `ops overview`, `readMetricsHistory` and the console read local metrics with the same
 * GetMetricData calls as in AWS. The EMF line is printed as well only when POWERTOOLS_METRICS_DISABLED=false.
 */
import { PutMetricDataCommand, type CloudWatchClient, type MetricDatum, type StandardUnit } from '@aws-sdk/client-cloudwatch';
import type { Metrics } from '@aws-lambda-powertools/metrics';

interface EmfDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: Array<{ Name: string; Unit?: string }>;
}

/** The CloudWatch data an EMF line (Powertools' `publishStoredMetrics` output) stands for, per namespace. */
export const metricDataOfEmf = (line: string): Array<{ namespace: string; data: MetricDatum[] }> => {
  const emf = JSON.parse(line) as Record<string, unknown> & { _aws?: { Timestamp?: number; CloudWatchMetrics?: EmfDirective[] } };
  const timestamp = new Date(emf._aws?.Timestamp ?? Date.now());
  return (emf._aws?.CloudWatchMetrics ?? []).map((directive) => {
    const data: MetricDatum[] = [];
    for (const dimensionSet of directive.Dimensions.length ? directive.Dimensions : [[]]) {
      const dimensions = dimensionSet.map((name) => ({ Name: name, Value: String(emf[name]) }));
      for (const metric of directive.Metrics) {
        const raw = emf[metric.Name];
        const values = (Array.isArray(raw) ? raw : [raw]).map(Number).filter(Number.isFinite);
        if (values.length === 0) continue;
        data.push({ MetricName: metric.Name, Dimensions: dimensions, Timestamp: timestamp, Values: values, ...(metric.Unit ? { Unit: metric.Unit as StandardUnit } : {}) });
      }
    }
    return { namespace: directive.Namespace, data };
  });
};

export interface MetricsForwarder {
  /** Sends the handler's metrics to CloudWatch from now on (and those of its `singleMetric()` children). */
  attach(metrics: Metrics): void;
  /** Waits for every metric sent so far. */
  flush(): Promise<void>;
}

interface PowertoolsInternals {
  disabled: boolean;
  console: { log: (line: string) => void };
  singleMetric: () => Metrics;
}

/**
 * @example
 * const forwarder = makeMetricsForwarder(new CloudWatchClient({}), { echo: false, log });
 * forwarder.attach(observability.metrics);
 */
export const makeMetricsForwarder = (cloudwatch: CloudWatchClient, options: { echo: boolean; log: (message: string) => void }): MetricsForwarder => {
  const pending = new Set<Promise<void>>();
  const forward = (line: string) => {
    let batches: ReturnType<typeof metricDataOfEmf>;
    try {
      batches = metricDataOfEmf(line);
    } catch (error) {
      options.log(`metrics: not an EMF line (${(error as Error).message})`);
      return;
    }
    for (const { namespace, data } of batches) {
      if (data.length === 0) continue;
      const sent: Promise<void> = cloudwatch
        .send(new PutMetricDataCommand({ Namespace: namespace, MetricData: data }))
        .then(() => undefined)
        .catch((error: unknown) => options.log(`metrics: PutMetricData failed: ${(error as Error).message}`))
        .finally(() => pending.delete(sent));
      pending.add(sent);
    }
  };
  const attach = (metrics: Metrics) => {
    // Powertools writes EMF lines with its own console and has no hook for another sink: its instance is adapted here.
    const internals = metrics as unknown as PowertoolsInternals;
    const printer = internals.console;
    internals.disabled = false;
    internals.console = {
      log: (line: string) => {
        if (options.echo) printer.log(line);
        forward(line);
      },
    };
    const singleMetric = internals.singleMetric.bind(metrics);
    internals.singleMetric = () => {
      const child = singleMetric();
      attach(child);
      return child;
    };
  };
  return {
    attach,
    async flush() {
      await Promise.all([...pending]);
    },
  };
};
