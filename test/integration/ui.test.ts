import type { Client } from '@temporalio/client';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEARCH_ATTRIBUTE_BATCH_ID, SEARCH_ATTRIBUTE_ITEM_STATUS } from '../../src/shared/constants.js';
import { startDevServer, type DevServerHandle } from '../../src/temporal/dev-server.js';
import { httpAnswers } from '../../src/temporal/server-probe.js';
import {
  batchInput,
  readResults,
  startBatch,
  startHarness,
  uniqueId,
  writeManifest,
  type Harness,
} from '../helpers/harness.js';
import { waitFor } from '../helpers/processes.js';
import { temporalCliPath } from '../helpers/temporal-env.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const INSTALL_HINT =
  "run `bash scripts/install-chromium.sh` (Debian's chromium; or set CHROMIUM_PATH to a Chromium binary)";
// The committed screenshot in docs/ is refreshed only on request; ordinary runs leave the checkout clean.
const SCREENSHOT = fileURLToPath(
  new URL(
    process.env.DURABATCH_UPDATE_SCREENSHOT === '1'
      ? '../../docs/ui-failed-rows.png'
      : '../../.temporal/reports/ui-failed-rows.png',
    import.meta.url,
  ),
);
const DEV_SERVER_LOG = fileURLToPath(new URL('../../.temporal/logs/ui-dev-server.log', import.meta.url));
const ROWS = 12;
const FAIL_ROWS = [2, 7, 11];

/** What the workflows page shows once its list has loaded. */
interface ListedPage {
  /** The number of the page's "N Workflows" heading, or null while it shows none. */
  count: number | null;
  /** Rows in the table's body. */
  rows: number;
  /** Workflow ids of the table's rows, in the order shown (decoded from each row's link to its history). */
  ids: string[];
}

/** Reads the workflows page: the heading's count and the workflow id of each table row. */
async function readWorkflowList(page: Page): Promise<ListedPage> {
  const quick = { timeout: 1_000 };
  const heading = await page
    .getByTestId('workflow-count')
    .textContent(quick)
    .catch(() => null);
  const count = /^\s*(\d[\d,]*)\s*$/.exec(heading ?? '')?.[1];
  const ids: string[] = [];
  const rows = await page.locator('table tbody tr').all();
  for (const row of rows) {
    const href = await row
      .locator('a[href$="/history"]')
      .first()
      .getAttribute('href', quick)
      .catch(() => null);
    const id = /\/namespaces\/[^/]+\/workflows\/([^/]+)\/[^/]+\/history$/.exec(href ?? '')?.[1];
    if (id !== undefined) ids.push(decodeURIComponent(id));
  }
  return { count: count === undefined ? null : Number(count.replaceAll(',', '')), rows: rows.length, ids };
}

/** Opens the Web UI's workflows page with a visibility query and waits until its table agrees with its count. */
async function openWorkflowList(page: Page, uiUrl: string, query: string): Promise<ListedPage> {
  await page.goto(`${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
  let shown: ListedPage = { count: null, rows: 0, ids: [] };
  await waitFor(
    'the Web UI to list workflows for the query',
    async () => {
      shown = await readWorkflowList(page);
      return shown.count !== null && shown.count > 0 && shown.rows === shown.count && shown.ids.length === shown.count;
    },
    60_000,
  ).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; last seen: ${JSON.stringify(shown)} at ${page.url()}`);
  });
  return shown;
}

async function listIds(client: Client, query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of client.workflow.list({ query })) ids.push(execution.workflowId);
  return ids.sort();
}

describe('the Temporal Web UI', () => {
  let server: DevServerHandle;
  let h: Harness;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: ${INSTALL_HINT}`);
    browser = await chromium
      .launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true })
      .catch((err: unknown) => {
        throw new Error(`Chromium at ${CHROMIUM} did not start (${(err as Error).message}); ${INSTALL_HINT}`);
      });
    server = await startDevServer({
      cliPath: temporalCliPath(),
      ui: true,
      namespace: 'default',
      logFile: DEV_SERVER_LOG,
    });
    const uiUrl = server.uiUrl ?? '';
    await waitFor(`the Web UI at ${uiUrl} (log: ${DEV_SERVER_LOG})`, () => httpAnswers(uiUrl, 1_000), 60_000);
    // The harness's client and worker talk to this file's own server, the one whose Web UI the browser opens.
    h = await startHarness('ui-failed-rows', {}, { address: server.address });
    await h.startWorker();
  });

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
    await server?.stop();
  });

  it('lists exactly the failed rows of a batch for DurabatchBatchId and DurabatchItemStatus="failed"', async () => {
    const batchId = uniqueId('ui');
    const manifest = await writeManifest(h.dir, ROWS, { failRows: FAIL_ROWS });
    const handle = await startBatch(h, batchInput(h, manifest, batchId, { concurrency: 4 }));
    const result = await handle.result();
    const expected = FAIL_ROWS.map((n) => `${batchId}/SKU-${n}`).sort();
    const failedInResults = (await readResults(result.resultsPath)).filter((l) => l.status === 'failed');
    expect(failedInResults.map((l) => `${batchId}/${l.key}`).sort(), 'failed rows in results.jsonl').toEqual(expected);

    // Visibility is updated after the fact: wait until every row's workflow is listed with a final state.
    const ofBatch = `${SEARCH_ATTRIBUTE_BATCH_ID}="${batchId}"`;
    const rows = `${ofBatch} AND ${SEARCH_ATTRIBUTE_ITEM_STATUS} IS NOT NULL`;
    await waitFor('visibility to list every row closed', async () => {
      const closed = await h.client.workflow.count(`${rows} AND ExecutionStatus != "Running"`);
      return closed.count === ROWS;
    });

    const query = `${ofBatch} AND ${SEARCH_ATTRIBUTE_ITEM_STATUS}="failed"`;
    expect(await listIds(h.client, query), 'client.workflow.list').toEqual(expected);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const shown = await openWorkflowList(page, server.uiUrl ?? '', query);
    await page.screenshot({ path: SCREENSHOT });
    expect([...shown.ids].sort(), `rows listed by the Web UI (screenshot: ${SCREENSHOT})`).toEqual(expected);
    expect(shown.count, 'the count in the Web UI heading').toBe(FAIL_ROWS.length);
    await page.close();
  });
});
