// Customers in a real browser: a rep creates a customer, adds a contact, logs a visit,
// shares it read-only; the colleague reads but cannot edit; the manager finds it by a
// 2-character Chinese name and exports the list to Excel with a progress page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startServer, screenshotPath } from './lib.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  const r = await server.runCli(['demo', '--customers', '0']);
  assert.equal(r.code, 0, r.stderr);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signIn(locale, username) {
  const context = await browser.newContext({ locale, acceptDownloads: true });
  const page = await context.newPage();
  page.on('pageerror', (e) => { throw e; });
  await page.goto(server.url + '/login');
  await page.fill('#username', username);
  await page.fill('#password', 'demo1234');
  await page.click('button[type=submit]');
  await page.waitForSelector('#current-user');
  return { context, page };
}

test('a rep records a customer, a contact and a visit, and shares it read-only', async () => {
  const { context, page } = await signIn('zh-CN', 'liuyang');
  await page.click('a[href="/customers"]');
  await page.click('#customer-new');
  // A bad phone number is refused on the field, nothing is created.
  await page.fill('#customer-name', '北京青禾科技有限公司');
  await page.fill('#customer-phone', '电话号码');
  await page.click('#customer-submit');
  await page.waitForSelector('#customer-phone.is-invalid');
  await page.fill('#customer-phone', '010-6552-9988');
  await page.selectOption('#customer-status', 'following');
  await page.click('#customer-submit');
  await page.waitForSelector('#customer-title');
  assert.match(await page.textContent('#customer-title'), /北京青禾科技有限公司/);

  await page.fill('#contact-name', '张伟');
  await page.fill('#contact-mobile', '13800138000');
  await page.click('#contact-submit');
  await page.waitForSelector('#contacts-table >> text=张伟');

  await page.selectOption('#activity-kind', 'visit');
  await page.fill('#activity-content', '上门拜访，演示了新版本。');
  await page.click('#activity-submit');
  await page.waitForSelector('#timeline >> text=上门拜访，演示了新版本。');

  const colleague = await page.locator('#share-user option', { hasText: '陈静' }).getAttribute('value');
  await page.selectOption('#share-user', colleague);
  await page.selectOption('#share-access', 'read');
  await page.click('#share-submit');
  await page.waitForSelector('#shares >> text=陈静');
  await page.screenshot({ path: screenshotPath('customer-zh'), fullPage: true });
  await context.close();
});

test('the colleague reads the shared customer but gets no edit controls', async () => {
  const { context, page } = await signIn('en-US', 'chenjing');
  await page.goto(server.url + '/customers?q=');
  await page.click('#customers-table >> text=北京青禾科技有限公司');
  await page.waitForSelector('#customer-access');
  assert.equal(await page.locator('#customer-edit').count(), 0);
  assert.equal(await page.locator('#contact-form').count(), 0);
  // A peer without a share does not find it at all.
  await context.close();
  const other = await signIn('en-US', 'yangfan');
  await other.page.goto(server.url + '/customers?q=');
  assert.equal(await other.page.locator('#customers-table >> text=北京青禾科技有限公司').count(), 0);
  await other.context.close();
});

test('the manager finds it by a two-character name and exports to Excel', async () => {
  const { context, page } = await signIn('zh-CN', 'zhangwei');
  await page.goto(server.url + '/customers?q=');
  await page.fill('#customer-q', '张伟');
  await page.click('#filter-submit');
  await page.waitForSelector('#customers-table >> text=北京青禾科技有限公司');
  await page.click('#customers-export');
  await page.waitForSelector('#job-download', { timeout: 20_000 });
  assert.match(await page.textContent('#job-status'), /已完成: 1 行/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#job-download')]);
  assert.match(download.suggestedFilename(), /^customers-.*\.xlsx$/);
  const file = await download.path();
  assert.ok(file);
  await page.screenshot({ path: screenshotPath('export-job-zh') });
  // The contact history page shows the rep's visit to the manager.
  await page.click('a[href="/activities"]');
  await page.waitForSelector('#activities-table >> text=上门拜访，演示了新版本。');
  await context.close();
});
