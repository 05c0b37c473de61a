// Market in a real browser (issue 5): the manager sets a monthly sales-amount quota for a
// rep; the rep imports leads from an .xlsx (column mapping guessed from the Chinese
// headers, a preview, a report with the one bad row and its reason), converts one lead into
// a customer + contact + opportunity without re-typing anything, sells to the new customer
// (quote → order → submit), the manager approves the order, and the quota progress moves by
// exactly the order total — on the manager's /quotas ranking and on the rep's home card.
//
// fixtures/leads.xlsx was written once by Python openpyxl (see fixtures/README.md for the
// script); the test never runs Python.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchBrowser, startServer, screenshotPath, writeQuote, BROWSER_TEST_DIR } from './lib.mjs';

const FIXTURE = path.join(BROWSER_TEST_DIR, 'fixtures', 'leads.xlsx');
const COMPANY = '苏州青禾微电子有限公司';
const PERSON = '林晓东';
const REP = '刘洋'; // liuyang, whose manager is zhangwei (张伟)

let server;
let browser;
const pageErrors = [];

before(async () => {
  server = await startServer();
  // The demo organisation, catalogue, some leads, campaigns and quotas.
  const r = await server.runCli(['demo', '--customers', '3', '--orders', '3']);
  assert.equal(r.code, 0, r.stderr);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signIn(locale, username) {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${username}: ${e.message}`));
  await page.goto(server.url + '/login');
  await page.fill('#username', username);
  await page.fill('#password', 'demo1234');
  await page.click('button[type=submit]');
  await page.waitForSelector('#current-user');
  return { context, page };
}

/** "¥11,340.00" → 1134000 (minor units). */
function cents(text) {
  const m = text.replace(/[,\s]/g, '').match(/-?\d+(\.\d+)?/);
  assert.ok(m, `no amount in ${JSON.stringify(text)}`);
  return Math.round(parseFloat(m[0]) * 100);
}

/** Tenths of a percent of actual against target, rounded half up (as the product computes). */
function tenths(actual, target) {
  return Math.floor((actual * 2000 + target) / (2 * target));
}

/** The progress label the product shows: "11.3 %". */
function percentLabel(actual, target) {
  const t = tenths(actual, target);
  return `${Math.floor(t / 10)}.${t % 10} %`;
}

/** The rep's row of the ranking on /quotas (this month, sales amount), as the manager sees it. */
async function quotaRow(page) {
  await page.goto(server.url + '/quotas?period=month&metric=sales_amount');
  await page.waitForSelector('#quotas-ranking');
  const row = page.locator('#quotas-ranking tbody tr', { hasText: REP });
  assert.equal(await row.count(), 1, 'one ranking row for the rep');
  const cells = row.locator('td');
  return {
    target: cents(await cells.nth(2).innerText()),
    actual: cents(await cells.nth(3).innerText()),
    label: (await cells.nth(4).innerText()).trim(),
    width: Number(await row.locator('[role=progressbar]').getAttribute('aria-valuenow')),
  };
}

/** The "this month · sales amount" line of the rep's home quota card: "¥a / ¥t · p %". */
async function homeQuota(page) {
  await page.goto(server.url + '/');
  await page.waitForSelector('#home-quota');
  const line = page.locator('#home-quota .quota-line', { hasText: '本月' }).filter({ hasText: '销售额' }).first();
  const text = await line.locator('.d-flex span').nth(1).innerText();
  const [amounts, label] = text.split('·').map((s) => s.trim());
  const [actual, target] = amounts.split('/').map(cents);
  return { actual, target, label };
}

test('import leads from .xlsx → convert one → order approved → quota progress moves', async () => {
  const mgr = await signIn('zh-CN', 'zhangwei');
  const rep = await signIn('zh-CN', 'liuyang');
  const m = mgr.page;
  const page = rep.page;

  // 1. The manager sets the rep's sales-amount target for this month: ¥100,000.
  await m.goto(server.url + '/quotas');
  await m.waitForSelector('#quotas-filter');
  await m.selectOption('#quotas-period', 'month');
  await m.selectOption('#quotas-metric', 'sales_amount');
  await Promise.all([m.waitForURL(/\/quotas\?/), m.click('#quotas-show')]);
  await m.waitForSelector('#quotas-entry-form');
  const target = m.locator('#quotas-entry-form').getByLabel(REP, { exact: true });
  await target.fill('100000');
  await Promise.all([m.waitForURL(/flash=saved/), m.click('#quotas-save')]);
  await m.waitForSelector('#quotas-ranking');
  assert.equal(await m.locator('#quotas-entry-failed').count(), 0);
  assert.equal(await m.locator('#quotas-entry-form').getByLabel(REP, { exact: true }).inputValue(), '100000.00');
  const set = await quotaRow(m);
  assert.equal(set.target, 100_000_00);

  // 2. The rep uploads the workbook from the leads page.
  await page.goto(server.url + '/leads');
  await page.click('#lead-import');
  await page.waitForSelector('#import-upload-form');
  await page.setInputFiles('#import-file', FIXTURE);
  await Promise.all([page.waitForURL(/\/leads\/import\/\d+$/), page.click('#import-upload')]);
  await page.waitForSelector('#import-map-form');
  assert.match(await page.textContent('#import-file-info'), /XLSX/);
  assert.match(await page.textContent('#import-file-info'), /5\s*行/);

  // The mapping is guessed from the Chinese headers.
  const guessed = [];
  for (let i = 0; i < 7; i++) guessed.push(await page.inputValue(`#col-${i}`));
  assert.deepEqual(guessed, ['name', 'company', 'phone', 'email', 'city', 'source', 'notes']);
  assert.equal(await page.locator('#import-no-name').count(), 0);
  // The first row's values are shown as samples.
  assert.match(await page.textContent('#import-columns'), new RegExp(COMPANY));

  // The preview: four rows to import, the bad email refused with its reason.
  const preview = page.locator('#import-preview-table');
  assert.equal(await preview.locator('tbody tr[data-outcome=import]').count(), 4);
  const bad = preview.locator('tbody tr[data-outcome=fail]');
  assert.equal(await bad.count(), 1);
  assert.match(await bad.innerText(), /彭可欣/);
  assert.match(await bad.locator('.row-error').innerText(), /^邮箱[:：]/);
  const badRow = await bad.getAttribute('data-row');
  // The number-typed phone cell of row 3 is read as the number it shows, not 1.66e10.
  assert.match(await preview.innerText(), /16612340002/);

  // 3. Run it (good rows only, duplicates skipped, owner: me) and wait for the report.
  assert.ok(await page.isChecked('#mode-good'));
  assert.ok(await page.isChecked('#dup-skip'));
  await Promise.all([page.waitForURL(/\/leads\/import\/\d+$/), page.click('#import-run')]);
  // The status fragment polls itself every second until the job ends (bounded wait).
  await page.waitForSelector('#import-status[data-status=done] #import-counts', { timeout: 60_000 });
  assert.match(await page.textContent('#count-imported'), /已导入\s*4/);
  assert.match(await page.textContent('#count-failed'), /失败\s*1/);
  assert.match(await page.textContent('#count-skipped'), /\b0\b/);
  assert.equal(await page.locator('#import-nothing-written').count(), 0);
  const failure = page.locator('#import-failures tbody tr');
  assert.equal(await failure.count(), 1);
  assert.equal((await failure.locator('td').first().innerText()).trim(), badRow);
  assert.match(await failure.locator('td').nth(1).innerText(), /邮箱/);
  await page.screenshot({ path: screenshotPath('market-import-report'), fullPage: true });

  // 4. Find the imported lead in the list, open it and convert it.
  await page.click('#import-to-leads');
  await page.waitForSelector('#leads-filter');
  await page.fill('#lead-q', '青禾');
  await Promise.all([page.waitForURL(/q=/), page.click('#filter-submit')]);
  const link = page.locator('#leads-table tbody a', { hasText: PERSON });
  await link.waitFor();
  assert.equal(await link.count(), 1);
  await link.click();
  await page.waitForSelector('#lead-title');
  assert.equal((await page.textContent('#lead-title')).trim(), PERSON);
  assert.match(await page.textContent('#lead-owner-name'), new RegExp(REP));
  const leadUrl = page.url();

  await page.click('#lead-convert');
  await page.waitForSelector('#conversion-form');
  assert.match(await page.textContent('#lead-company'), new RegExp(COMPANY));
  assert.match(await page.textContent('#lead-email'), /linxiaodong@qinghe-micro\.example\.com/);
  assert.match(await page.textContent('#lead-source'), /展会/);
  // Nobody else has this company, phone or email: plain "create".
  await page.waitForSelector('#conversion-no-duplicates');
  assert.ok(await page.isChecked('#choice-create'));
  // With an opportunity: its name defaults to the company.
  await page.waitForSelector('#with-opportunity');
  assert.equal(await page.inputValue('#opp-name'), COMPANY);
  await page.check('#with-opportunity');
  await page.fill('#opp-amount', '11340');
  await page.selectOption('#opp-stage', { index: 1 });
  await Promise.all([page.waitForURL(/\/customers\/\d+/), page.click('#conversion-submit')]);
  await page.waitForSelector('#customer-title');
  const customerUrl = page.url().replace(/\?.*$/, '');
  assert.equal((await page.textContent('#customer-title')).trim(), COMPANY);
  assert.match(await page.textContent('#customer-owner-name'), new RegExp(REP));
  const contact = page.locator('#contacts-table tbody tr', { hasText: PERSON });
  assert.equal(await contact.count(), 1);
  assert.match(await contact.innerText(), /166 1234 0001/); // carried over as typed
  // The opportunity came along (the sales panel loads by htmx).
  await page.waitForSelector('#sales-card');
  assert.match(await page.textContent('#st-opps'), new RegExp(COMPANY));
  await page.screenshot({ path: screenshotPath('market-converted'), fullPage: true });

  // The lead is now marked converted and links to the customer.
  await page.goto(leadUrl);
  await page.waitForSelector('#lead-converted');
  assert.equal(await page.getAttribute('#lead-customer-link', 'href'), new URL(customerUrl).pathname);

  // 5. Progress before the sale, as the manager and as the rep see it.
  const before = await quotaRow(m);
  const homeBefore = await homeQuota(page);
  assert.equal(before.target, 100_000_00);
  assert.equal(homeBefore.target, 100_000_00);
  assert.equal(homeBefore.actual, before.actual);
  assert.equal(before.label, percentLabel(before.actual, before.target));

  // The rep sells to the new customer: quote → order → submit.
  await page.goto(customerUrl);
  // P0006 is the 24-port PoE access switch of the demo catalogue, ¥4,200.00.
  await writeQuote(page, { title: '工业网关采购报价', code: 'P0006', quantity: '3', discount: '10' });
  // 3 × 4,200.00 less 10 % = 11,340.00
  assert.match(await page.textContent('#quote-total'), /11,340\.00/);
  await page.click('#quote-convert');
  await page.waitForSelector('#order-number');
  const orderUrl = page.url();
  const orderTotal = cents(await page.textContent('#order-total'));
  assert.equal(orderTotal, 11_340_00);
  await page.click('#order-submit');
  await page.waitForSelector('#order-status');
  assert.equal(await page.locator('#order-approve').count(), 0);

  // A submitted order does not count yet.
  assert.equal((await quotaRow(m)).actual, before.actual);

  // 6. The manager approves it.
  await m.goto(orderUrl);
  await m.fill('#decision-comment', '同意。');
  await m.click('#order-approve');
  await m.waitForSelector('#records-note');
  assert.match(await m.textContent('#order-status'), /已审批|通过/);

  // The progress moved by exactly the order total, live.
  const afterRow = await quotaRow(m);
  assert.equal(afterRow.target, 100_000_00);
  assert.equal(afterRow.actual - before.actual, orderTotal);
  assert.equal(afterRow.label, percentLabel(afterRow.actual, afterRow.target));
  assert.notEqual(afterRow.label, before.label);
  assert.equal(afterRow.width, Math.min(100, Math.floor(tenths(afterRow.actual, afterRow.target) / 10)));
  await m.screenshot({ path: screenshotPath('market-quotas-after'), fullPage: true });

  const homeAfter = await homeQuota(page);
  assert.equal(homeAfter.actual - homeBefore.actual, orderTotal);
  assert.equal(homeAfter.label, afterRow.label);
  await page.locator('#home-quota').screenshot({ path: screenshotPath('market-home-quota') });

  await mgr.context.close();
  await rep.context.close();
  assert.deepEqual(pageErrors, []);
});
