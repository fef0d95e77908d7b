import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';

/** Debian's chromium (apt-get install -y chromium); playwright-core downloads no browser. */
const CHROMIUM = process.env.DANE_TEST_CHROMIUM ?? '/usr/bin/chromium';

export interface DashboardBrowser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile that phones nowhere. */
export async function openBrowser(): Promise<DashboardBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'dane-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--headless'],
    viewport: { width: 1280, height: 1000 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The count the page shows for a key in a state (a code, `total` or `rate`); '' when the cell is absent. */
export async function countCell(page: Page, key: string, state: number | string): Promise<string> {
  const cell = page.locator(`#counts-table td[data-key="${key}"][data-state="${state}"]`);
  return (await cell.count()) ? (await cell.textContent())!.trim() : '';
}
