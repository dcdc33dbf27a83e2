import { parseE2eOptions } from '../../../bench/e2e-report';
import { formatIngestReport, parseIngestOptions, type HandlerFigures, type IngestReport } from '../../../bench/ingest-report';

const figures = (requestsPerSecond: number): HandlerFigures => ({
  requests: 100,
  statuses: { '202': 100 },
  seconds: 100 / requestsPerSecond,
  requestsPerSecond,
  p50Ms: 1,
  p99Ms: 2,
  meanMs: 1.1,
  maxMs: 3,
  cpuMsPerRequest: 0.5,
  awsRequests: { 'DynamoDB.PutItem': 100 },
  logBytes: 10,
  memory: { heapUsedDeltaBytes: 0, rssDeltaBytes: 0, gcForced: true },
});

describe('the bench scripts’ options and report', () => {
  it('reads bench:ingest’s defaults and options', () => {
    expect(parseIngestOptions([])).toEqual({ requests: 2000, concurrency: 1, warmup: 300, rounds: 20, sources: ['erp', 'shopify', 'zendesk'], json: false });
    expect(parseIngestOptions(['--requests', '10', '--concurrency', '4', '--warmup', '0', '--rounds', '2', '--sources', 'erp', '--json'])).toEqual({
      requests: 10,
      concurrency: 4,
      warmup: 0,
      rounds: 2,
      sources: ['erp'],
      json: true,
    });
  });

  it.each([
    [['--requests', '0'], /--requests must be a whole number of at least 1; got "0"/],
    [['--concurrency', 'many'], /--concurrency must be a whole number/],
    [['--sources', 'erp,fax'], /--sources takes erp, shopify, zendesk; got "erp,fax"/],
    [['--requests', '2', '--rounds', '4'], /--requests \(2\) must be at least --rounds \(4\)/],
    [['--speed'], /Unknown option '--speed'/],
  ])('refuses bench:ingest %j with a message that names the option', (args, message) => {
    expect(() => parseIngestOptions(args)).toThrow(message);
  });

  it('reads bench:e2e’s defaults and refuses a bad count', () => {
    expect(parseE2eOptions([])).toEqual({ webhooks: 200, concurrency: 8, timeoutSeconds: 180, json: false });
    expect(() => parseE2eOptions(['--webhooks=-5'])).toThrow(/--webhooks must be a whole number of at least 1; got "-5"/);
  });

  it('says whether the ingest target is met, with the ratio it counted', () => {
    // Prepare
    const report = (ratio: number): IngestReport => ({
      bench: 'ingest',
      date: '2026-11-29T00:00:00.000Z',
      commit: '0123456789abcdef',
      uncommittedChanges: false,
      machine: { cpus: 2, cpuModel: 'test', node: 'v20' },
      options: { requests: 100, concurrency: 1, warmup: 0, rounds: 1, sources: ['erp'] },
      handlers: { webhookIngest: figures(50 * ratio), floor: figures(50) },
      ratio,
      roundRatios: { min: ratio, median: ratio, max: ratio },
      cpuRatio: ratio,
      target: { minRatio: 0.5, met: ratio >= 0.5 },
      awsStub: { requests: {}, total: 0, eventsPut: 0, conditionalCheckFailures: 0 },
      problems: [],
    });

    // Act / Assess
    expect(formatIngestReport(report(0.62))).toContain('ratio 0.620 of the floor\'s throughput: target >= 0.5 met');
    expect(formatIngestReport(report(0.41))).toContain('target >= 0.5 NOT met');
  });
});
