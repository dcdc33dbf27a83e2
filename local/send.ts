import { parseArgs } from 'node:util';
import { WEBHOOK_SOURCES } from '../functions/core/connectors/registry';
import { signingSecretsFromEnvironment } from './dev-secrets';
import { signDelivery } from './sign';
import { localApiUrl } from './stack-file';

const USAGE = `Usage: npm run send -- <type> '<data JSON>' [--source erp|businesscentral|3pl|shopify|zendesk] [--url <base URL>] [--id <delivery id>]

Signs one delivery the way the source does, with the first secret of WEBHOOK_SECRETS_<SOURCE> (or the
development secret), and posts it to the local stack on PORT if set, else the running one (found through .local/local-stack.json),
else http://127.0.0.1:3000.
  erp, 3pl  Standard Webhooks; <type> is the event type, the data JSON its "data" (occurredAt defaults to now)
  shopify   <type> is the topic (X-Shopify-Topic, e.g. orders/create); the data JSON is the whole body
  zendesk   <type> is the event type (e.g. zen:event-type:ticket.status_changed); the data JSON is the event's
            "detail", wrapped as {id, type, time, detail}
  businesscentral  a change notification; <type> is the change type (created, updated, deleted, collection),
            the data JSON names the "resource" (and optionally "lastModifiedDateTime"); the clientState is derived
            from the secret
Example: npm run send -- order.status.changed '{"orderId":"SO-1001","status":"shipped","version":2}'`;

const fail = (message: string, code = 2): never => {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(code);
};

const main = async () => {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { source: { type: 'string', default: 'erp' }, url: { type: 'string' }, id: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    return fail((error as Error).message);
  }
  const { positionals, values } = parsed;
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (positionals.length !== 2) fail('Give the type and the data JSON.');
  const source = values.source!;
  if (!WEBHOOK_SOURCES.includes(source)) fail(`Unknown source "${source}": the sources are ${WEBHOOK_SOURCES.join(', ')}.`);
  const [type, dataJson] = positionals as [string, string];
  let data: unknown;
  try {
    data = JSON.parse(dataJson);
  } catch (error) {
    fail(`The data argument is not JSON: ${(error as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) fail('The data argument must be a JSON object.');
  const secret = signingSecretsFromEnvironment()[source]?.[0];
  if (!secret) fail(`No signing secret for source "${source}": set WEBHOOK_SECRETS_${source.toUpperCase()}.`);

  const baseUrl = values.url ?? localApiUrl(process.env);
  const target = `${baseUrl.replace(/\/+$/, '')}/v1/webhooks/${source}`;
  const { body, headers } = signDelivery(source, type, data as Record<string, unknown>, secret!, { id: values.id });
  let response: Response;
  try {
    response = await fetch(target, { method: 'POST', headers, body });
  } catch (error) {
    console.error(`Could not reach ${target}: ${(error as Error).message}. Is the local stack running (npm start)?`);
    process.exit(1);
  }
  console.log(`${response.status} ${await response.text()}`);
  process.exit(response.ok ? 0 : 1);
};

void main();
