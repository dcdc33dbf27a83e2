import { apiKeysFromEnvironment, DEVELOPMENT_API_KEY, signingSecretsFromEnvironment } from './dev-secrets';
import { startLocalStack } from './runtime';
import { LOCAL_STACK_FILE, removeLocalStackFile, writeLocalStackFile } from './stack-file';

const numberFromEnv = (name: string, fallback?: number) => {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    console.error(`${name} must be a whole number, got "${value}".`);
    process.exit(2);
  }
  return parsed;
};

const main = async () => {
  const stage = process.env.STAGE ?? 'local';
  const stack = await startLocalStack({
    port: numberFromEnv('PORT', 3000),
    stage,
    emulatorEndpoint: process.env.MOTO_ENDPOINT,
    serviceDeskPort: numberFromEnv('SERVICE_DESK_PORT', 3002),
    erp: { port: numberFromEnv('ERP_PORT', 3001), requestsPerSecond: numberFromEnv('ERP_RATE_LIMIT'), maxConcurrent: numberFromEnv('ERP_MAX_CONCURRENT') },
    signingSecrets: signingSecretsFromEnvironment(),
    // ops overview and the console chart these (GetMetricData on the emulator's CloudWatch).
    forwardMetrics: true,
    apiKeys: apiKeysFromEnvironment(),
    visibilityTimeoutSeconds: numberFromEnv('VISIBILITY_TIMEOUT_SECONDS'),
    // Reconciliation every RECONCILE_EVERY_SECONDS (default 900, 0: off), like the stage's schedule.
    scheduleEveryMs: (numberFromEnv('RECONCILE_EVERY_SECONDS', 900) ?? 0) * 1000 || undefined,
    reconcile: { graceSeconds: numberFromEnv('RECONCILE_GRACE_SECONDS', 300) },
    log: (line) => console.error(line),
  });
  console.log(`AWS emulator (moto): ${stack.emulatorEndpoint}`);
  console.log(`service desk simulator: ${stack.serviceDesk.url}`);
  console.log(`ERP simulator: ${stack.erp.url}`);
  console.log(`Send a signed test webhook: npm run send -- order.status.changed '{"orderId":"SO-1001","status":"confirmed","version":1}'`);
  console.log(`Then read the order's sync state: curl -H 'x-api-key: <a key of API_KEYS, default ${DEVELOPMENT_API_KEY}>' ${stack.url}/v1/orders/SO-1001/sync`);
  // The ops CLI reads this file, so `npx retail-sync ops dlq list` needs no flags while the stack runs.
  writeLocalStackFile({ endpoint: stack.emulatorEndpoint, stage, region: process.env.AWS_REGION ?? 'us-east-1', apiUrl: stack.url });
  console.log(`Inspect the DLQs: npx retail-sync ops dlq list (reads ${LOCAL_STACK_FILE})`);
  console.log(`Check for drift now: npx retail-sync ops reconcile --since 2h`);
  console.log(`listening on ${stack.url}`);

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    removeLocalStackFile();
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
};

main().catch((error: Error) => {
  console.error(`The local stack could not start: ${error.message}`);
  process.exit(1);
});
