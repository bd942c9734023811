import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import axe from 'axe-core';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import t from 'tap';
import { setupApp } from '../helpers/app.js';
import { engine } from '../helpers/database.js';
import { patchTask, postReport } from '../helpers/requests.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = new URL('../../test-artifacts/screenshots/', import.meta.url);

// The pages are the same on either engine, so a real browser drives them once; without Debian's chromium there is nothing to drive.
const skip =
  engine === 'postgres'
    ? 'browser tests run once, under DUBAN_TEST_ENGINE=pglite'
    : !existsSync(CHROMIUM)
      ? `${CHROMIUM} is absent: install Debian's chromium and fonts-noto-cjk (.ci/run does) to run the browser tests`
      : false;

async function listening(app: Awaited<ReturnType<typeof setupApp>>['app']): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/** axe-core's serious and critical findings on the page as it stands, by rule and the elements involved. */
async function seriousViolations(browser: Browser, url: string, signedIn?: BrowserContext): Promise<string[]> {
  // A page of its own that ignores the CSP, which (rightly) refuses the injected axe script; with the session of a signed-in context, if given.
  const context = await browser.newContext({ bypassCSP: true });
  if (signedIn) await context.addCookies(await signedIn.cookies());
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.addScriptTag({ content: axe.source });
    // A string, evaluated in the page: this project's TypeScript has no DOM library.
    const violations = await page.evaluate<axe.Result[]>('axe.run(document).then((results) => results.violations)');
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  } finally {
    await context.close();
  }
}

async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: new URL(`${name}.png`, SCREENSHOTS).pathname, fullPage: true });
}

t.test('the status board in headless Chromium', { skip }, async (t) => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  t.teardown(() => browser.close());

  t.test('a reader clicks from the start page to a bulletin', async (t) => {
    const { app, key } = await setupApp(t, { PUBLIC_READ: 'true' });
    const supervisor = await key('supervisor');
    await patchTask(app, supervisor, 'tj-2021-annex2-01', '"1"', { dueDate: '2026-02-01' });
    await postReport(app, await key('agency', 'tj-hrss-bureau'), 'tj-2021-annex2-08', { note: '按月报送', evidence: ['https://example.org/a.pdf'] });
    const base = await listening(app);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    t.teardown(() => context.close());
    const page = await context.newPage();
    const refused: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') refused.push(message.text());
    });

    await page.goto(`${base}/`);
    t.match(await page.title(), /督办/);
    t.equal(await page.locator('tr[data-list]').count(), 2, 'both lists of the fixture');
    t.match(await page.evaluate<string>('getComputedStyle(document.body).fontFamily'), /Noto Sans CJK SC/, 'the stylesheet loaded under the CSP');
    await screenshot(page, 'home');

    await page.locator('tr[data-list="tj-2021-annex2"] a').click();
    await page.waitForURL(`${base}/lists/tj-2021-annex2`);
    t.equal(await page.locator('tr[data-task]').count(), 52);
    t.ok(await page.locator('figure.chart svg').isVisible(), 'the burn-up chart');
    t.ok((await page.locator('polyline.series-total').getAttribute('points'))!.split(' ').length > 1, 'a line over the periods');
    await screenshot(page, 'list');

    await page.locator('.filters .filter', { hasText: '红黄绿灯' }).getByRole('link', { name: '红灯' }).click();
    await page.waitForURL(`${base}/lists/tj-2021-annex2?health=red`);
    t.same(await page.locator('tr[data-task]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-task'))), ['tj-2021-annex2-01']);
    await screenshot(page, 'list-filtered');

    await page.locator('tr[data-task="tj-2021-annex2-01"] td.text a').click();
    await page.waitForURL(`${base}/tasks/tj-2021-annex2-01`);
    t.ok(await page.locator('blockquote.verbatim').first().isVisible());
    await screenshot(page, 'task');

    await page.locator('dl.facts dd a').first().click();
    await page.waitForURL(/\/agencies\//);
    t.ok(await page.locator('[data-last-report]').isVisible());
    await screenshot(page, 'agency');

    await page.goto(`${base}/lists/tj-2021-annex2`);
    await page.getByRole('link', { name: /月度情况通报/ }).click();
    await page.waitForURL(`${base}/lists/tj-2021-annex2/bulletin/2026-03`);
    t.ok(await page.locator('tr[data-task="tj-2021-annex2-01"]').isVisible(), 'the overdue task is in the bulletin');
    await screenshot(page, 'bulletin');
    await page.emulateMedia({ media: 'print' });
    t.equal(await page.locator('.masthead nav').isVisible(), false, 'printed without the navigation');
    await screenshot(page, 'bulletin-print');
    await page.emulateMedia({ media: 'screen' });

    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(`${base}/lists/tj-2021-annex2/bulletin/2026-03?lang=en`);
    t.equal(await page.locator('html').getAttribute('lang'), 'en');
    t.match(await page.locator('h1').innerText(), /Monthly bulletin/);

    t.same(refused, [], 'no resource refused, no error in the console');
    for (const path of ['/', '/lists/tj-2021-annex2', '/tasks/tj-2021-annex2-01', '/agencies/tj-hrss-bureau', '/lists/tj-2021-annex2/bulletin/2026-03', '/?lang=en']) {
      t.same(await seriousViolations(browser, `${base}${path}`), [], `axe: no serious or critical violation on ${path}`);
    }
  });

  t.test('a person signs in with a key and out again', async (t) => {
    const { app, key } = await setupApp(t);
    const auditor = (await key('auditor')).slice('Bearer '.length);
    await postReport(app, await key('agency', 'tj-hrss-bureau'), 'tj-2021-annex2-08', { note: '按月报送', evidence: ['https://example.org/a.pdf'] });
    const base = await listening(app);
    const context = await browser.newContext();
    t.teardown(() => context.close());
    const page = await context.newPage();

    await page.goto(`${base}/lists/tj-2021-annex2`);
    t.match(page.url(), `${base}/sign-in?next=`, 'sent to the form');
    await screenshot(page, 'sign-in');
    t.same(await seriousViolations(browser, page.url()), [], 'axe: the sign-in form');

    await page.getByLabel('API 密钥').fill('duban_wrong_key');
    await page.getByRole('button', { name: '登录' }).click();
    t.ok(await page.getByRole('alert').isVisible(), 'a wrong key is told so');

    await page.getByLabel('API 密钥').fill(auditor);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(`${base}/lists/tj-2021-annex2`);
    t.equal(await page.locator('tr[data-task]').count(), 52);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'duban_board');
    t.ok(session?.httpOnly, 'an HttpOnly session cookie');
    t.notOk(cookies.some((c) => c.value.includes(auditor)), 'no cookie holds the key');

    await page.goto(`${base}/tasks/tj-2021-annex2-08`);
    t.equal(await page.locator('tr[data-event]').count(), 2, 'an auditor reads the history: created, then the report');
    t.ok(await page.getByRole('link', { name: 'https://example.org/a.pdf' }).isVisible(), 'with its evidence link');
    await screenshot(page, 'task-history');
    t.same(await seriousViolations(browser, page.url(), context), [], 'axe: a signed-in page, with its sign-out form');

    await page.getByRole('button', { name: '退出' }).click();
    await page.waitForURL(`${base}/sign-in`);
    await page.goto(`${base}/`);
    t.match(page.url(), `${base}/sign-in?next=`, 'signed out: the board asks again');
  });
});
