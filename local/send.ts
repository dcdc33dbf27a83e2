import { parseArgs } from 'node:util';
import { signingSecretsFromEnvironment } from './dev-secrets';
import { signStandardWebhook } from './sign';

const USAGE = `Usage: npm run send -- <type> '<data JSON>' [--source erp] [--url http://127.0.0.1:3000] [--id msg_...]

Signs a Standard Webhooks delivery with the first secret of WEBHOOK_SECRETS_<SOURCE> (or the
development secret) and posts it to the local stack.
Example: npm run send -- order.status.changed '{"orderId":"SO-1001","status":"shipped","version":2}'
(occurredAt defaults to now).`;

const main = async () => {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      source: { type: 'string', default: 'erp' },
      url: { type: 'string', default: `http://127.0.0.1:${process.env.PORT ?? 3000}` },
      id: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length !== 2) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const [type, dataJson] = positionals as [string, string];
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(dataJson);
  } catch (error) {
    console.error(`The data argument is not JSON: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  const now = new Date().toISOString();
  const body = JSON.stringify({ type, timestamp: now, data: { occurredAt: now, ...data } });
  const secret = signingSecretsFromEnvironment()[values.source!]?.[0];
  if (!secret) {
    console.error(`No signing secret for source "${values.source}": set WEBHOOK_SECRETS_${values.source!.toUpperCase()}.`);
    process.exit(2);
  }
  const target = `${values.url!.replace(/\/+$/, '')}/v1/webhooks/${values.source}`;
  let response: Response;
  try {
    response = await fetch(target, { method: 'POST', headers: signStandardWebhook(secret, body, { id: values.id }), body });
  } catch (error) {
    console.error(`Could not reach ${target}: ${(error as Error).message}. Is the local stack running (npm start)?`);
    process.exit(1);
  }
  console.log(`${response.status} ${await response.text()}`);
  process.exit(response.ok ? 0 : 1);
};

void main();
