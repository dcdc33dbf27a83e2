/**
 * `npm run capacity`: the capacity and cost model of the stack (docs/capacity.md quotes its output).
 * Cost per million webhooks by component (REST and HTTP API side by side), the ceilings in the order a
 * growing webhook rate meets them, a time-stepped peak-day simulation and a 10,000 webhooks/s burst.
 */
import { Command, InvalidArgumentError } from 'commander';
import { execSync } from 'node:child_process';
import { CLOSED_BREAKER_CACHE_MS } from '../functions/adapters/erp-coordination-store';
import { readInputs } from './capacity/inputs';
import { billedMs, ceilings, costPerMillion, fmt, hotKeys, simulate, usagePerWebhook, type ModelInputs, type SimulatedQueue, type Usage } from './capacity/model';

const positive = (name: string) => (value: string) => {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError(`${name} must be a positive number; got "${value}".`);
  return number;
};
const rateList = (value: string) => value.split(',').map((entry) => positive('--erp-rates')(entry.trim()));

const program = new Command('capacity')
  .description('Capacity and cost model: cost per million webhooks, ceilings, peak-day simulation')
  .option('--json', 'print one JSON object')
  .option('--markdown', 'print the tables as Markdown (what docs/capacity.md quotes)')
  .option('--rate <webhooks/s>', 'normal average webhook rate', positive('--rate'), 1)
  .option('--peak-factor <n>', 'peak day: this many times the normal rate', positive('--peak-factor'), 10)
  .option('--peak-hours <h>', 'length of the peak', positive('--peak-hours'), 24)
  .option('--erp-rate <R>', "ERP requests per second (default: the stage's erpRequestsPerSecond)", positive('--erp-rate'))
  .option('--erp-rates <list>', 'ERP rates for the drain-time table, comma-separated', rateList, [0.5, 0.8, 1, 20])
  .option('--burst-rate <webhooks/s>', 'what breaks first at this rate', positive('--burst-rate'), 10000)
  .option('--burst-minutes <m>', 'length of the burst', positive('--burst-minutes'), 10)
  .option('--mix <file>', 'webhook mix (JSON { "mix": { "<detail type>": share } })')
  .option('--durations <file>', 'measured durations (default bench/results/durations.json)')
  .option('--batch-fill <0..1>', 'how full consumer batches are in the cost table', positive('--batch-fill'), 1)
  .showHelpAfterError();

const options = program.parse().opts<{
  json?: boolean;
  markdown?: boolean;
  rate: number;
  peakFactor: number;
  peakHours: number;
  erpRate?: number;
  erpRates: number[];
  burstRate: number;
  burstMinutes: number;
  mix?: string;
  durations?: string;
  batchFill: number;
}>();
if (options.batchFill > 1) program.error('--batch-fill must be at most 1.');

const { inputs, durations, book, stageName, mixFile } = readInputs({ erpRate: options.erpRate, mixFile: options.mix, durationsFile: options.durations });

/** The simulation's queues: arrivals per webhook from the usage model, capacity from batch sizes, durations and concurrency caps. */
const simulatedQueues = (model: ModelInputs, usage: Usage): SimulatedQueue[] =>
  model.queues
    .filter((queue) => (usage.messagesByQueue[queue.name] ?? 0) > 0)
    .map((queue) => {
      const work = model.work[queue.consumer]!;
      return {
        name: queue.name,
        arrivalsPerWebhook: usage.messagesByQueue[queue.name]!,
        messagesPerSecondPerBatch: queue.batchSize / (billedMs(work, queue.batchSize, model.assumptions) / 1000),
        maxConcurrency: queue.maxConcurrency,
        erpCallsPerMessage: work.erpCalls,
        initialConcurrency: Math.min(queue.maxConcurrency, book.quotas.sqsEventSourceInitialBatches.value),
        scalingPerSecond: book.quotas.sqsEventSourceScalingPerMinute.value / 60,
      };
    });

const run = (model: ModelInputs, rate: number, seconds: number, drainLimitSeconds: number) => {
  const usage = usagePerWebhook(model, 1);
  const ingestSeconds = billedMs(model.work.webhookIngest!, 1, model.assumptions) / 1000;
  return simulate({
    queues: simulatedQueues(model, usage),
    offeredRate: () => rate,
    acceptRate: Math.min(model.stage.webhookThrottleRatePerSecond, book.quotas.apiGatewayAccountRequestsPerSecond.value),
    acceptBurst: Math.min(model.stage.webhookThrottleBurst, book.quotas.apiGatewayAccountBurst.value),
    acceptLimit: model.stage.webhookThrottleRatePerSecond < book.quotas.apiGatewayAccountRequestsPerSecond.value ? 'API stage throttle' : 'API Gateway account throttle',
    putEventsPerSecond: book.quotas.eventBridgePutEventsPerSecond.value,
    putEventsCallsPerWebhook: usage.putEventsCalls,
    accountConcurrency: book.quotas.lambdaAccountConcurrency.value,
    ingestSecondsPerWebhook: ingestSeconds,
    ingestCapacity: model.stage.ingestReservedConcurrency / ingestSeconds,
    erpCallsPerSecond: model.stage.erpRequestsPerSecond * model.stage.erpUtilisation,
    durationSeconds: seconds,
    drainLimitSeconds,
    stepSeconds: 1,
  });
};

const usage = usagePerWebhook(inputs, options.batchFill);
const costs = costPerMillion(usage, book, true);
const total = (side: 'rest' | 'http') => costs.reduce((sum, line) => sum + line[side], 0);
const limits = ceilings(inputs, usage);
// Instances that call the ERP: the dispatcher's and the notifications' event source caps, and the workflow steps'.
const erpInstances = inputs.queues.filter((queue) => inputs.work[queue.consumer]!.erpCalls > 0).reduce((sum, queue) => sum + queue.maxConcurrency, 0);
const keys = hotKeys(inputs, erpInstances, CLOSED_BREAKER_CACHE_MS);
const peakRate = options.rate * options.peakFactor;
const peakSeconds = options.peakHours * 3600;
const peak = run(inputs, peakRate, peakSeconds, 14 * 24 * 3600);
const fullUsage = usagePerWebhook(inputs, 1);
const peakCost = (side: 'rest' | 'http') => (peak.accepted / 1e6) * costPerMillion(fullUsage, book, true).reduce((sum, line) => sum + line[side], 0);
const drainTable = options.erpRates.map((erpRequestsPerSecond) => {
  const model = { ...inputs, stage: { ...inputs.stage, erpRequestsPerSecond } };
  const result = run(model, peakRate, peakSeconds, 14 * 24 * 3600);
  const erpQueues = Object.entries(result.queues).filter(([name]) => model.work[model.queues.find((queue) => queue.name === name)!.consumer]!.erpCalls > 0);
  return {
    erpRequestsPerSecond,
    erpCallsMade: Math.round(result.erpCalls),
    maxErpBacklog: Math.round(erpQueues.reduce((max, [, queue]) => Math.max(max, queue.maxDepth), 0)),
    drainSecondsAfterPeak: result.drainSeconds,
    firstLimit: result.firstLimit,
  };
});
const burstSeconds = options.burstMinutes * 60;
const burst = run(inputs, options.burstRate, burstSeconds, 14 * 24 * 3600);
// The same burst with the stage's own limits at their maximums: which AWS quota or consumer meets it next.
const raisedStage = { ...inputs.stage, webhookThrottleRatePerSecond: 10000, webhookThrottleBurst: 5000, ingestReservedConcurrency: 1000 };
const burstRaised = run({ ...inputs, stage: raisedStage }, options.burstRate, burstSeconds, 14 * 24 * 3600);
const commit = (() => {
  try {
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
})();

const report = {
  generatedAt: new Date().toISOString(),
  commit,
  command: `npm run capacity -- ${process.argv.slice(2).join(' ')}`.trim(),
  region: (book as { region?: string }).region,
  stage: { name: stageName, ...inputs.stage },
  durations: { measuredAt: durations.measuredAt, commit: durations.commit, machine: durations.machine, source: durations.source },
  mixFile,
  assumptions: inputs.assumptions,
  workflow: inputs.workflow,
  perWebhook: usage,
  billedMsPerInvocation: Object.fromEntries(
    Object.keys(usage.invocationsByFunction).map((fn) => {
      const queue = inputs.queues.find((candidate) => candidate.consumer === fn);
      const messages = queue ? Math.max(1, Math.min(queue.batchSize, queue.batchSize * options.batchFill)) : 1;
      return [fn, { messages, billedMs: billedMs(inputs.work[fn]!, messages, inputs.assumptions), memoryMb: inputs.functions[fn]!.memoryMb, basis: inputs.work[fn]!.basis }];
    }),
  ),
  costPerMillionWebhooks: { lines: costs, totalRest: total('rest'), totalHttp: total('http') },
  ceilings: limits,
  hotKeys: keys,
  peakDay: { normalRate: options.rate, peakRate, hours: options.peakHours, ...peak, costRest: peakCost('rest'), costHttp: peakCost('http'), drainByErpRate: drainTable },
  burst: { rate: options.burstRate, minutes: options.burstMinutes, ...burst },
  burstWithStageLimitsRaised: { stage: raisedStage, ...burstRaised },
};

const money = (value: number) => (value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(4)}`);
const duration = (seconds: number | undefined) =>
  seconds === undefined ? 'not within 14 days' : seconds < 120 ? `${seconds} s` : seconds < 7200 ? `${(seconds / 60).toFixed(1)} min` : `${(seconds / 3600).toFixed(1)} h`;
const whole = (value: number) => Math.round(value).toLocaleString('en-US');

const markdown = () => {
  const lines: string[] = [];
  lines.push(`Generated ${report.generatedAt} at commit ${commit} by \`${report.command}\`; region ${report.region}; stage \`${stageName}\` settings from cdk.json.`);
  lines.push('');
  lines.push('### What one webhook causes (mix average, batches full)');
  lines.push('');
  lines.push('| Function | Invocations/webhook | Messages/invocation | Billed ms/invocation | Memory MB | Basis |');
  lines.push('|---|---:|---:|---:|---:|---|');
  for (const [fn, entry] of Object.entries(report.billedMsPerInvocation)) {
    lines.push(`| ${fn} | ${fmt(usage.invocationsByFunction[fn]!)} | ${entry.messages} | ${entry.billedMs} | ${entry.memoryMb} | ${entry.basis} |`);
  }
  lines.push('');
  lines.push(
    `Per webhook: ${fmt(usage.eventsPublished)} canonical events, ${fmt(usage.ruleInvocations)} rule→queue deliveries, ${fmt(usage.putEventsCalls)} PutEvents calls, ` +
      `messages ${Object.entries(usage.messagesByQueue).map(([name, count]) => `${name} ${fmt(count)}`).join(', ')}; ` +
      `${fmt(usage.dynamoWrites)} DynamoDB writes, ${fmt(usage.dynamoReads)} reads, ${fmt(usage.erpCalls)} ERP requests, ${fmt(usage.serviceDeskCalls)} service-desk requests, ` +
      `${fmt(usage.workflowStarts)} workflows (${fmt(usage.stateTransitions)} state transitions at most).`,
  );
  lines.push('');
  lines.push('### Cost per million webhooks');
  lines.push('');
  lines.push('| Component | REST API (today) | HTTP API | Basis |');
  lines.push('|---|---:|---:|---|');
  for (const line of costs) lines.push(`| ${line.component} | ${money(line.rest)} | ${money(line.http)} | ${line.basis} |`);
  lines.push(`| **Total** | **${money(total('rest'))}** | **${money(total('http'))}** | |`);
  lines.push('');
  lines.push('### Ceilings, lowest first');
  lines.push('');
  lines.push('| Ceiling | Webhooks/s | Why | How to lift it |');
  lines.push('|---|---:|---|---|');
  for (const ceiling of limits) lines.push(`| ${ceiling.name} | ${whole(ceiling.webhooksPerSecond)} | ${ceiling.how} | ${ceiling.lift} |`);
  lines.push('');
  lines.push('### Hot keys');
  lines.push('');
  lines.push('| Item | What bounds it |');
  lines.push('|---|---|');
  for (const key of keys) lines.push(`| ${key.item} | ${key.limit} |`);
  lines.push('');
  lines.push(`### Peak day: ${peakRate} webhooks/s (${options.peakFactor} × ${options.rate}/s) for ${options.peakHours} h, ERP at ${inputs.stage.erpRequestsPerSecond} requests/s`);
  lines.push('');
  lines.push(`Offered ${whole(peak.offered)}, accepted ${whole(peak.accepted)}, answered 429 ${whole(peak.throttled)}; ERP requests made ${whole(peak.erpCalls)}; everything drained ${duration(peak.drainSeconds)} after the peak; first limit met: ${peak.firstLimit ? `${peak.firstLimit.what} at ${peak.firstLimit.at} s` : 'none'}. Cost of the day: ${money(report.peakDay.costRest)} (REST) / ${money(report.peakDay.costHttp)} (HTTP API).`);
  lines.push('');
  lines.push('| Queue | Messages | Deepest | At (s) | Most concurrent batches |');
  lines.push('|---|---:|---:|---:|---:|');
  for (const [name, queue] of Object.entries(peak.queues)) lines.push(`| ${name} | ${whole(queue.arrived)} | ${fmt(queue.maxDepth)} | ${queue.maxDepthAt} | ${fmt(queue.maxConcurrency)} |`);
  lines.push('');
  lines.push('Drain time of the same peak day by ERP rate R:');
  lines.push('');
  lines.push('| R (requests/s) | ERP requests made | Deepest ERP-bound queue | Drained after the peak | First limit met |');
  lines.push('|---:|---:|---:|---:|---|');
  for (const row of drainTable) lines.push(`| ${row.erpRequestsPerSecond} | ${whole(row.erpCallsMade)} | ${whole(row.maxErpBacklog)} | ${duration(row.drainSecondsAfterPeak)} | ${row.firstLimit ? `${row.firstLimit.what} at ${row.firstLimit.at} s` : 'none'} |`);
  lines.push('');
  lines.push(`### ${whole(options.burstRate)} webhooks/s for ${options.burstMinutes} min`);
  lines.push('');
  lines.push(`Offered ${whole(burst.offered)}, accepted ${whole(burst.accepted)}, answered 429 ${whole(burst.throttled)} (${((100 * burst.throttled) / burst.offered).toFixed(1)}%); first limit met: ${burst.firstLimit ? `${burst.firstLimit.what} at ${burst.firstLimit.at} s` : 'none'}; drained ${duration(burst.drainSeconds)} after the burst.`);
  lines.push('');
  lines.push('| Queue | Messages | Deepest | At (s) | Drained (s after start) |');
  lines.push('|---|---:|---:|---:|---:|');
  for (const [name, queue] of Object.entries(burst.queues)) lines.push(`| ${name} | ${whole(queue.arrived)} | ${whole(queue.maxDepth)} | ${queue.maxDepthAt} | ${queue.drainedAt ?? '—'} |`);
  lines.push('');
  lines.push(
    `With the stage's limits at their maximums (webhookThrottleRatePerSecond 10,000, burst 5,000, ingestReservedConcurrency 1,000): accepted ${whole(burstRaised.accepted)}, answered 429 or 5xx ${whole(burstRaised.throttled)} (${((100 * burstRaised.throttled) / burstRaised.offered).toFixed(1)}%); first limit met: ${burstRaised.firstLimit ? `${burstRaised.firstLimit.what} at ${burstRaised.firstLimit.at} s` : 'none'}; drained ${duration(burstRaised.drainSeconds)} after the burst.`,
  );
  lines.push('');
  lines.push('| Queue | Messages | Deepest | At (s) | Drained (s after start) |');
  lines.push('|---|---:|---:|---:|---:|');
  for (const [name, queue] of Object.entries(burstRaised.queues)) lines.push(`| ${name} | ${whole(queue.arrived)} | ${whole(queue.maxDepth)} | ${queue.maxDepthAt} | ${queue.drainedAt ?? '—'} |`);
  return lines.join('\n');
};

if (options.json) console.log(JSON.stringify(report, null, 2));
else if (options.markdown) console.log(markdown());
else console.log(markdown().replace(/\*\*/g, ''));
