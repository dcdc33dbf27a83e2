/**
 * Runs the ERP simulator in a process of its own, as a real ERP would be: its clock and its rate
 * limiter do not share an event loop with the dispatchers. Prints `ERP simulator listening on <url>`.
 * Usage: tsx local/simulators/erp-server.ts [--rate R] [--max-concurrent N] [--port P]
 */
import { parseArgs } from 'node:util';
import { LOCAL_ERP_CLIENT } from '../dev-credentials';
import { startErpSimulator } from './erp';

const { values } = parseArgs({ options: { rate: { type: 'string' }, 'max-concurrent': { type: 'string' }, port: { type: 'string', default: '0' } } });
void startErpSimulator({
  port: Number(values.port),
  requestsPerSecond: values.rate ? Number(values.rate) : undefined,
  maxConcurrent: values['max-concurrent'] ? Number(values['max-concurrent']) : undefined,
  // The local stack's ERP credential, as the in-process simulator requires it.
  credentials: { clientId: LOCAL_ERP_CLIENT.clientId, clientSecret: LOCAL_ERP_CLIENT.clientSecret },
}).then((simulator) => {
  console.log(`ERP simulator listening on ${simulator.url}`);
  process.on('SIGTERM', () => void simulator.close().then(() => process.exit(0)));
});
