import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_FIELD_IDS } from '../../functions/adapters/service-desk-zendesk';
import { signingSecretsFromEnvironment } from '../../local/dev-secrets';
import { startLocalStack, type LocalStack } from '../../local/runtime';

const ROOT = path.join(__dirname, '..', '..');
const MARKER = '<!-- ops-day:local';

/** The bash block that follows the marker in README.md, as its lines. */
const opsDayBlock = (readme: string): string[] => {
  const start = readme.indexOf(MARKER);
  if (start < 0) throw new Error(`README.md has no "${MARKER}" marker before the local ops day's bash block`);
  const block = /```bash\n([\s\S]*?)\n```/.exec(readme.slice(start));
  if (!block) throw new Error('No ```bash block follows the ops-day:local marker in README.md');
  return block[1]!.split('\n');
};

/** The commands a reader pastes, in order: comment and blank lines dropped, continued lines (`\`) joined. */
const commandsOf = (lines: string[]): string[] => {
  const commands: string[] = [];
  let pending = '';
  for (const line of lines) {
    if (!pending && (line.trim() === '' || line.trimStart().startsWith('#'))) continue;
    pending += line;
    if (line.endsWith('\\')) {
      pending += '\n';
      continue;
    }
    commands.push(pending);
    pending = '';
  }
  if (pending) commands.push(pending);
  return commands;
};

interface Ran {
  command: string;
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs one command with bash in the project, as a reader's shell would; only the environment is the test's. */
const runInBash = (command: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Ran> =>
  new Promise((resolve) => {
    const started = Date.now();
    const child = spawn('bash', ['-o', 'pipefail', '-c', command], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ command, code, stdout, stderr, ms: Date.now() - started });
    });
  });

/** The depth `ops dlq list` shows for one DLQ. */
const depthOf = (listing: string, dlq: string) => {
  const row = listing.split('\n').find((line) => line.startsWith(`${dlq} `));
  if (!row) throw new Error(`ops dlq list shows no ${dlq}:\n${listing}`);
  return Number(row.trim().split(/\s+/)[1]);
};

/** What a step of the ops day must print, found by what its command says (the nth command that matches). */
interface Expectation {
  step: string;
  command: RegExp;
  nth: number;
  assess(ran: Ran): void;
}

const UPDATER_DLQ = 'retail-sync-local-service-desk-updater-dlq';
const EXPECTATIONS: Expectation[] = [
  { step: 'poison the desk', command: /\/_sim\/faults .*"status":422/, nth: 1, assess: () => undefined },
  { step: 'send the webhook', command: /^npm run send -- order\.status\.changed/, nth: 1, assess: (ran) => expect(ran.stdout).toMatch(/^202 \{"eventId":"evt_\w+","duplicate":false\}$/m) },
  { step: 'see the DLQ', command: /^npx retail-sync ops dlq list$/, nth: 1, assess: (ran) => expect(depthOf(ran.stdout, UPDATER_DLQ)).toBe(1) },
  {
    step: 'peek',
    command: /^npx retail-sync ops dlq peek service-desk-updater$/,
    nth: 1,
    assess: (ran) => {
      expect(ran.stdout).toMatch(/ permanent {2}attempts=1 /);
      expect(ran.stdout).toMatch(/error: {3}PUT http:\/\/127\.0\.0\.1:\d+\/api\/v2\/tickets\/\d+\.json answered 422/);
    },
  },
  { step: 'sync state before the redrive', command: /^curl .*\/v1\/orders\/SO-1042\/sync/, nth: 1, assess: (ran) => expect(JSON.parse(ran.stdout)).toMatchObject({ serviceDesk: null, inSync: false }) },
  { step: 'clear the fault', command: /\/_sim\/faults .*"count":0/, nth: 1, assess: () => undefined },
  {
    step: 'dry run',
    command: /^npx retail-sync ops dlq redrive service-desk-updater --dry-run$/,
    nth: 1,
    assess: (ran) => expect(ran.stdout).toContain(`Dry run: would move 1 of 1 message(s) from ${UPDATER_DLQ} to retail-sync-local-service-desk-updater`),
  },
  {
    step: 'redrive',
    command: /^npx retail-sync ops dlq redrive service-desk-updater$/,
    nth: 1,
    assess: (ran) => expect(ran.stdout).toContain(`Moved 1 message(s) from ${UPDATER_DLQ} to retail-sync-local-service-desk-updater (1 scanned)`),
  },
  {
    step: 'every DLQ empty again',
    command: /^npx retail-sync ops dlq list$/,
    nth: 2,
    assess: (ran) => {
      const rows = ran.stdout.split('\n').filter((line) => /^retail-sync-local-.*-dlq/.test(line));
      expect(rows.length).toBeGreaterThan(1);
      for (const row of rows) expect(depthOf(ran.stdout, row.split(/\s+/)[0]!)).toBe(0);
    },
  },
  {
    step: 'sync state after the redrive',
    command: /^curl .*\/v1\/orders\/SO-1042\/sync/,
    nth: 2,
    assess: (ran) => expect(JSON.parse(ran.stdout)).toMatchObject({ erp: { status: 'shipped', version: 2 }, serviceDesk: { status: 'shipped', version: 2 }, inSync: true }),
  },
  {
    step: 'reconcile',
    command: /^npx retail-sync ops reconcile --since 1h$/,
    nth: 1,
    assess: (ran) => {
      expect(ran.stdout).toMatch(/^Reconciliation cli-\S+ \(.*requested by ops-cli\): done$/m);
      expect(ran.stdout).toMatch(/ 0 drifted \(0 repaired\), 0 unreadable/);
    },
  },
];

const COMMANDS = commandsOf(opsDayBlock(readFileSync(path.join(ROOT, 'README.md'), 'utf8')));

/**
 * README's "Try it locally": every command of its bash block, verbatim, with bash, in order, against a
 * local stack of stage `local` on its own emulator. Only the environment is the test's: the ports it
 * got (PORT, SERVICE_DESK_PORT) and its emulator (AWS_ENDPOINT_URL), which README documents.
 */
describe("README's ops engineer's day, run as written on the local stack", () => {
  let stack: LocalStack;
  let env: NodeJS.ProcessEnv;
  const ran: Ran[] = [];
  const used = new Set<Expectation>();

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0, stage: 'local', serviceDeskPort: 0, erp: { port: 0 }, signingSecrets: signingSecretsFromEnvironment() });
    env = { ...process.env, PORT: new URL(stack.url).port, SERVICE_DESK_PORT: String(stack.serviceDesk.port), AWS_ENDPOINT_URL: stack.emulatorEndpoint };
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
    if (ran.length) process.stderr.write(`ops day timings:\n${ran.map((r) => `  ${(r.ms / 1000).toFixed(1).padStart(5)} s  ${r.command.split('\n')[0]}`).join('\n')}\n`);
  });

  it('finds the block and the commands of every step in README.md', () => {
    // Assess
    expect(COMMANDS.length).toBeGreaterThanOrEqual(EXPECTATIONS.length);
    for (const expectation of EXPECTATIONS) {
      expect({ step: expectation.step, found: COMMANDS.filter((command) => expectation.command.test(command)).length >= expectation.nth }).toEqual({ step: expectation.step, found: true });
    }
  });

  it.each(COMMANDS.map((command, index) => [index + 1, command]))('runs command %i: %s', async (index, command) => {
    // Prepare: a later command only makes sense after every earlier one worked.
    expect(ran.filter((earlier) => earlier.code !== 0).map((earlier) => earlier.command)).toEqual([]);

    // Act
    const result = await runInBash(command as string, env, 60_000);
    ran.push(result);

    // Assess
    expect({ exitCode: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ exitCode: 0, stderr: '' });
    for (const expectation of EXPECTATIONS) {
      const occurrence = COMMANDS.slice(0, index as number).filter((earlier) => expectation.command.test(earlier)).length;
      if (expectation.command.test(command as string) && occurrence === expectation.nth) {
        used.add(expectation);
        expectation.assess(result);
      }
    }
  }, 70_000);

  it('checked every step, and the case shows what the ERP says', () => {
    // Assess
    expect(EXPECTATIONS.filter((expectation) => !used.has(expectation)).map((expectation) => expectation.step)).toEqual([]);
    const ticket = [...stack.serviceDesk.tickets.values()].find((candidate) => candidate.custom_fields.some((field) => field.value === 'SO-1042'))!;
    const field = (id: number) => ticket.custom_fields.find((entry) => entry.id === id)?.value;
    expect([field(DEFAULT_FIELD_IDS.orderStatus), field(DEFAULT_FIELD_IDS.orderVersion)]).toEqual(['shipped', '2']);
  });
});
