import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { LOCAL_SERVICE_DESK_AUTHORIZATION } from '../../local/dev-credentials';
import type { LocalStack } from '../../local/runtime';
import { signStandardWebhook } from '../../local/sign';
import { bundleConsole } from '../../ops/console/bundle';
import { makeConsoleOps, type ConsoleOps } from '../../ops/console/console-ops';
import { startConsoleServer, type ConsoleServer } from '../../ops/console/server';
import { callerHeaders } from '../support/caller';
import { startE2eStack, type E2eStack } from '../support/e2e-stack';
import { eventually } from '../support/emulator';
import { linkCase } from '../support/service-desk-cases';

/** Where the tests leave a screenshot of each page (a CI artifact; README.md, "Console"). */
export const SCREENSHOTS = path.join(__dirname, '..', '..', 'test-artifacts', 'console');
/** Debian's chromium (`apt-get install chromium`; .ci/run installs it), or CHROMIUM_PATH. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SECRET = 'whsec_' + Buffer.from('e2e-console-erp-secret').toString('base64');
const DAY_MS = 86_400_000;
// Run in the page (strings: the tests are compiled without the DOM's types).
const BLUR = 'document.activeElement?.blur()';
const FOCUSED_HTML = "document.activeElement?.outerHTML ?? ''";
const FOCUSED_TEXT = "document.activeElement?.textContent ?? ''";

/**
 * The ops console in a real headless browser against the local stack: an order whose service-desk update
 * was dead-lettered (its case is closed: the desk answers 422), an order that drifted (the desk lost its
 * update), and a refund-or-replacement workflow
 * parked as an exception (the ERP refused its call with 400). The overview, delayed list, trace, DLQ and
 * reconciliation pages show them; a redrive from the DLQ page moves the message; the keyboard reaches
 * every action.
 */
describe('the ops console in a browser', () => {
  let e2e: E2eStack;
  let stack: LocalStack;
  let ops: ConsoleOps;
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let updaterDlq: string;
  let ticketId: number;
  let workflowId: string;
  const orderId = 'SO-CONSOLE-1';
  const workflowOrderId = 'SO-CONSOLE-WF';
  const driftedOrderId = 'SO-CONSOLE-DRIFT';

  const dlqDepth = async () =>
    Number((await e2e.sqs.send(new GetQueueAttributesCommand({ QueueUrl: stack.resources.queues.get('service-desk-updater')!.deadLetterUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes?.ApproximateNumberOfMessages ?? 0);
  const openPage = async (hash: string) => {
    await page.goto(`${server.url}${hash}`);
    await page.locator('main h1').first().waitFor();
  };
  const sendErpStatus = async (order: string) => {
    const rawBody = JSON.stringify({ type: 'order.status.changed', timestamp: new Date().toISOString(), data: { orderId: order, status: 'shipped', version: 2, occurredAt: new Date().toISOString() } });
    expect((await fetch(`${stack.url}/v1/webhooks/erp`, { method: 'POST', headers: signStandardWebhook(SECRET, rawBody), body: rawBody })).status).toBe(202);
  };
  const screenshot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    e2e = await startE2eStack('console', { signingSecrets: { erp: [SECRET] }, forwardMetrics: true });
    stack = e2e.stack;
    const stage = stack.resources.names.prefix.replace(/^retail-sync-/, '');
    updaterDlq = `${stack.resources.names.prefix}-service-desk-updater-dlq`;

    // A workflow parked as an exception: the ERP refuses its calls (400, permanent) while it runs.
    stack.erp.setOrder(workflowOrderId, 'delivered');
    stack.erp.setOrderLines(workflowOrderId, [{ sku: 'MUG-BLUE', quantity: 1, shippedQuantity: 1, unitPrice: 12.5 }], {
      currencyCode: 'EUR',
      shipToCountry: 'DE',
      shipmentDate: new Date(Date.now() - 3 * DAY_MS).toISOString().slice(0, 10),
    });
    stack.erp.setInventory('MUG-BLUE', [{ locationCode: 'MAIN', inventory: 5 }]);
    const workflowCase = await fetch(`${stack.serviceDesk.url}/api/v2/tickets.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: LOCAL_SERVICE_DESK_AUTHORIZATION },
      body: JSON.stringify({ ticket: { subject: `Broken mug in ${workflowOrderId}` } }),
    });
    const caseId = String(((await workflowCase.json()) as { ticket: { id: number } }).ticket.id);
    stack.erp.failNext(1000, 400);
    const started = await fetch(`${stack.url}/v1/cases/${caseId}/resolutions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...callerHeaders },
      body: JSON.stringify({ orderId: workflowOrderId, lines: [{ sku: 'MUG-BLUE', quantity: 1, reason: 'damaged' }], preferred: 'replacement', requestedBy: 'agent:7' }),
    });
    workflowId = ((await started.json()) as { workflowId: string }).workflowId;
    await eventually(
      async () => ((await (await fetch(`${stack.url}/v1/workflows/${workflowId}`, { headers: callerHeaders })).json()) as { state?: string }).state,
      (state) => state === 'exception',
      60_000,
      250,
    );
    stack.erp.failNext(0);

    // An order whose case is closed: the desk refuses the update (422) and the updater dead-letters it.
    ticketId = await linkCase(stack, orderId);
    stack.serviceDesk.tickets.get(ticketId)!.status = 'closed';
    await sendErpStatus(orderId);
    await eventually(dlqDepth, (depth) => depth === 1, 20_000);

    // A drifted order: the desk answers the update without applying it (a lost update), so the order is out of sync.
    await linkCase(stack, driftedOrderId);
    stack.serviceDesk.loseNextUpdates(1);
    await sendErpStatus(driftedOrderId);
    await eventually(
      async () => (await (await fetch(`${stack.url}/v1/orders/${driftedOrderId}/sync`, { headers: callerHeaders })).json()) as { erp?: { version: number } | null; serviceDesk?: { version: number } | null; inSync?: boolean },
      // Both sides recorded (different consumers write them), so the overview counts it out of sync.
      (view) => view.erp?.version === 2 && view.serviceDesk?.version === 2 && view.inSync === false,
      20_000,
    );

    ops = makeConsoleOps({ stage, endpoint: stack.emulatorEndpoint }, process.env);
    server = await startConsoleServer({ ops, assets: await bundleConsole() });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    ops?.close();
    await e2e?.stop();
  });

  it('shows the drifted order and the injected DLQ message on the overview', async () => {
    // Act
    await openPage('#/');
    await page.locator('[data-testid="out-of-sync"], [role="alert"]').first().waitFor();
    await page.getByText('Last 6 hours').waitFor();
    await screenshot('overview');

    // Assess
    await expect(page.locator('.grid [role="alert"]').allTextContents()).resolves.toEqual([]);
    await expect(page.getByTestId('out-of-sync').textContent()).resolves.toBe('1');
    await page.getByRole('link', { name: driftedOrderId }).waitFor();
    const dlqRow = page.getByTestId('overview-dlqs').getByRole('row').filter({ hasText: updaterDlq });
    await expect(dlqRow.getByRole('cell').nth(1).textContent()).resolves.toBe('1');
  });

  it('lists the parked workflow among the delayed, and its trace highlights the failed step and offers retry or abandon', async () => {
    // Act
    await openPage('#/delayed');
    const row = page.getByTestId('delayed-list').getByRole('row').filter({ hasText: workflowId });
    await row.waitFor();
    await screenshot('delayed');
    await row.getByRole('link', { name: workflowId }).click();

    // Assess
    const stuck = page.getByTestId('stuck-step');
    await stuck.waitFor();
    await expect(stuck.getAttribute('aria-current')).resolves.toBe('step');
    await expect(stuck.textContent()).resolves.toMatch(new RegExp(`Stuck here.*${workflowId}`));
    await expect(page.getByTestId('verdict').textContent()).resolves.toMatch(new RegExp(`^workflow ${workflowId} parked: ".+" failed`));
    await page.getByRole('button', { name: `Retry workflow ${workflowId}` }).waitFor();
    await page.getByRole('button', { name: `Abandon workflow ${workflowId}` }).waitFor();
    await page.getByRole('button', { name: 'Reconcile this order' }).waitFor();
    await screenshot('trace');
  });

  it('redrives the message from the DLQ page with live progress, and the list updates', async () => {
    // Prepare: the case is open again, so the redriven update succeeds.
    stack.serviceDesk.tickets.get(ticketId)!.status = 'open';
    await openPage(`#/dlqs/${updaterDlq}`);
    await page.getByTestId('dlq-messages').getByRole('row').nth(1).waitFor();
    await expect(page.getByTestId(`depth-${updaterDlq}`).textContent()).resolves.toBe('1');

    // Act
    await page.getByRole('button', { name: 'Redrive all' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Redrive' }).click();

    // Assess
    await page.locator('[data-testid="redrive-status"][data-state="done"]').waitFor();
    await expect(page.getByTestId('redrive-status').textContent()).resolves.toContain(`Moved 1 message(s) from ${updaterDlq} to ${stack.resources.names.prefix}-service-desk-updater`);
    await page.getByTestId('no-messages').waitFor();
    await page.locator(`[data-testid="depth-${updaterDlq}"]:text-is("0")`).waitFor();
    expect(await dlqDepth()).toBe(0);
    await screenshot('dlqs');
    await eventually(async () => ((await (await fetch(`${stack.url}/v1/orders/${orderId}/sync`, { headers: callerHeaders })).json()) as { inSync?: boolean }).inSync, (inSync) => inSync === true, 15_000);

    // The order's trace shows who redrove it.
    await openPage(`#/trace/${orderId}`);
    await page.getByRole('region', { name: 'Audit' }).getByText(/local:\S+ dlq\.redrive/).waitFor();
  });

  it('purges a DLQ only once its name is typed in the confirmation', async () => {
    // Prepare: a message in the reconciler's DLQ.
    const reconcilerDlq = `${stack.resources.names.prefix}-reconciler-dlq`;
    await e2e.sqs.send(new SendMessageCommand({ QueueUrl: stack.resources.queues.get('reconciler')!.deadLetterUrl, MessageBody: '{"runId":"run-purge-me"}' }));
    await openPage(`#/dlqs/${reconcilerDlq}`);
    await page.getByTestId('dlq-messages').getByRole('row').nth(1).waitFor();

    // Act
    await page.getByRole('button', { name: 'Purge…' }).click();
    const dialog = page.getByRole('dialog');
    const confirm = dialog.getByRole('button', { name: 'Delete messages' });
    const disabledUntilTyped = [await confirm.isDisabled()];
    await dialog.getByLabel(/Type .* to confirm/).fill('reconciler-dlq');
    disabledUntilTyped.push(await confirm.isDisabled());
    await dialog.getByLabel(/Type .* to confirm/).fill(reconcilerDlq);
    disabledUntilTyped.push(await confirm.isDisabled());
    await confirm.click();

    // Assess
    expect(disabledUntilTyped).toEqual([true, true, false]);
    await page.getByText(`Deleted 1 message(s) from ${reconcilerDlq}.`).waitFor();
    await page.getByTestId('no-messages').waitFor();
  });

  it('reaches every action of every page with the keyboard alone, and starts a reconciliation with Tab and Enter', async () => {
    for (const hash of ['#/', '#/delayed', `#/trace/${workflowOrderId}`, `#/dlqs/${updaterDlq}`, '#/reconciliation']) {
      // Prepare
      await openPage(hash);
      await page.waitForLoadState('networkidle');
      const actionable = await page.evaluate<string[]>(
        `[...document.querySelectorAll('a[href], button:not([disabled]), input, select, textarea, summary')].filter((element) => element.offsetParent !== null && !element.closest('dialog')).map((element) => element.outerHTML)`,
      );

      // Act: Tab from the top until focus comes back round.
      await page.evaluate(BLUR);
      const reached = new Set<string>();
      for (let presses = 0; presses < actionable.length + 20; presses++) {
        await page.keyboard.press('Tab');
        const focused = await page.evaluate<string>(FOCUSED_HTML);
        if (reached.has(focused)) break;
        reached.add(focused);
      }

      // Assess
      expect({ hash, missed: actionable.filter((element) => !reached.has(element)) }).toEqual({ hash, missed: [] });
    }

    // Act: on the reconciliation page, Tab to "Start reconciliation…", Enter, Tab to "Start" in the dialog, Enter.
    await openPage('#/reconciliation');
    await page.evaluate(BLUR);
    for (let presses = 0; presses < 30 && (await page.evaluate<string>(FOCUSED_TEXT)) !== 'Start reconciliation…'; presses++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    for (let presses = 0; presses < 5 && (await page.evaluate<string>(FOCUSED_TEXT)) !== 'Start'; presses++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');

    // Assess
    await page.waitForURL(/#\/reconciliation\/.+/);
    await page.getByText(/requested by/).waitFor();
    await screenshot('reconciliation');
  });
});
