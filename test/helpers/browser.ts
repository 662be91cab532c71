// A real browser (Debian's chromium through playwright-core) against the built web UI. Pages
// are driven the way an operator uses them: by their labels and roles, never by CSS internals.
// Screenshots land in test-artifacts/ui/ for a person to look at.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import type { ApiDeps } from '../../src/api/deps.ts';
import { ADMIN, createApiHarness, type ApiHarness, type HarnessParts } from './api.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
// VISTTER_WEB_ROOT lets a test run use its own build (e.g. vite build --outDir /tmp/x).
export const WEB_ROOT = process.env['VISTTER_WEB_ROOT'] ?? join(REPO, 'web', 'dist');
export const SCREENSHOTS = join(REPO, 'test-artifacts', 'ui');
const CHROMIUM = process.env['VISTTER_CHROMIUM'] ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(join(WEB_ROOT, 'index.html')))
    throw new Error(`${WEB_ROOT} has no build: run \`npm run build:web\` first (npm run check does).`);
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no chromium at ${CHROMIUM}: run scripts/install-system-deps.sh --with-test-tools (or set VISTTER_CHROMIUM)`,
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // The CI machine runs tests as root, where chromium's sandbox cannot start.
    args: ['--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'],
  });
}

export interface UiPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far (a healthy page has none). */
  pageErrors: string[];
}

export async function openPage(browser: Browser, baseUrl: string): Promise<UiPage> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // 4xx answers the page expects (a refused form) show up as console errors in chromium.
    if (message.type() === 'error' && !/the server responded with a status of 4\d\d/.test(message.text()))
      pageErrors.push(`console: ${message.text()}`);
  });
  page.setDefaultTimeout(15_000);
  return { context, page, pageErrors };
}

export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** First run in the browser: sets the admin password and lands in the control room. */
export async function completeFirstRun(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByLabel('User name').fill(ADMIN.username);
  await page.getByLabel('New password').fill(ADMIN.password);
  await page.getByLabel('Repeat the password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create account and continue' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

export async function signInAs(
  page: Page,
  username: string = ADMIN.username,
  password: string = ADMIN.password,
) {
  await page.goto('/');
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

export interface ServedUi {
  url: string;
  api: ApiHarness;
  close(): Promise<void>;
}

/**
 * The web UI and the API in this process on 127.0.0.1 (a free port), on a real SQLite file —
 * for pages that need no running show. Pages that do (the control room) use startAppliance().
 */
export async function serveUi(
  extra: Partial<ApiDeps> | ((parts: HarnessParts) => Partial<ApiDeps>) = {},
): Promise<ServedUi> {
  const api = await createApiHarness((parts) => ({
    webRoot: WEB_ROOT,
    ...(typeof extra === 'function' ? extra(parts) : extra),
  }));
  const url = await api.app.listen({ host: '127.0.0.1', port: 0 });
  return { url, api, close: () => api.close() };
}

export interface BrowserUi {
  /** Chromium, once the block's `before` has run. */
  readonly browser: Browser;
  /** The served UI and API, once the block's `before` has run. */
  readonly served: ServedUi;
  /** A fresh browser context signed in as the admin (the account must exist by then). */
  signedInPage(): Promise<UiPage>;
}

/**
 * For a describe block: chromium and the served UI + API for the whole block, closed after it.
 * `firstRun` creates the admin before the tests: 'api' (the default) through the API, 'browser'
 * through the first-run page, 'none' not at all (a test does it). More set-up goes in a `before`
 * registered after this call (node:test runs them in order).
 */
export function useBrowserUi(
  options: { serve?: Parameters<typeof serveUi>[0]; firstRun?: 'api' | 'browser' | 'none' } = {},
): BrowserUi {
  let browser: Browser | undefined;
  let served: ServedUi | undefined;
  const ui: BrowserUi = {
    get browser() {
      if (!browser) throw new Error('the browser starts in before(); use it inside a test or a hook');
      return browser;
    },
    get served() {
      if (!served) throw new Error('the UI is served in before(); use it inside a test or a hook');
      return served;
    },
    async signedInPage() {
      const opened = await openPage(ui.browser, ui.served.url);
      await signInAs(opened.page);
      return opened;
    },
  };
  before(async () => {
    [browser, served] = await Promise.all([launchBrowser(), serveUi(options.serve)]);
    const firstRun = options.firstRun ?? 'api';
    if (firstRun === 'api') await served.api.signIn();
    if (firstRun === 'browser') {
      const { page, context } = await openPage(browser, served.url);
      await completeFirstRun(page);
      await context.close();
    }
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });
  return ui;
}

/** Clicks a download link and saves the file as `saveAs`; returns the name the server suggested. */
export async function downloadVia(page: Page, link: Locator, saveAs: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  await download.saveAs(saveAs);
  return download.suggestedFilename();
}

/** Every /api answer body the page receives from now on (to prove a secret never comes back). */
export function recordApiBodies(page: Page): string[] {
  const bodies: string[] = [];
  page.on('response', (response) => {
    if (!new URL(response.url()).pathname.startsWith('/api/')) return;
    void response
      .text()
      .then((text) => bodies.push(text))
      .catch(() => undefined);
  });
  return bodies;
}
