// Sales in a real browser: a rep writes a quote with the line editor, turns it into an
// order without re-entry and submits it; the manager approves it; the rep records a
// payment (an over-payment is refused on the field) and the customer page shows what the
// customer bought and still owes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startServer, screenshotPath, writeQuote } from './lib.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  // The demo organisation and catalogue (a few customers and orders bring the products).
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
  page.on('pageerror', (e) => { throw e; });
  await page.goto(server.url + '/login');
  await page.fill('#username', username);
  await page.fill('#password', 'demo1234');
  await page.click('button[type=submit]');
  await page.waitForSelector('#current-user');
  return { context, page };
}

test('quote → order → manager approval → payment', async () => {
  const rep = await signIn('zh-CN', 'liuyang');
  const page = rep.page;
  // A customer of the rep's own.
  await page.goto(server.url + '/customers/new');
  await page.fill('#customer-name', '杭州云启信息技术有限公司');
  await page.click('#customer-submit');
  await page.waitForSelector('#customer-title');
  const customerUrl = page.url();

  // The sales panel of the customer page offers a new quote for this customer.
  // P0006 is the 24-port PoE access switch of the demo catalogue, ¥4,200.00.
  await writeQuote(page, { title: '网络改造报价', code: 'P0006', quantity: '3', discount: '10' });
  // 3 × 4,200.00 less 10 % = 11,340.00
  assert.match(await page.textContent('#quote-total'), /11,340\.00/);

  // One click turns it into an order: the lines come along.
  await page.click('#quote-convert');
  await page.waitForSelector('#order-number');
  const orderUrl = page.url();
  assert.match(await page.textContent('#order-total'), /11,340\.00/);
  assert.match(await page.textContent('#order-lines-table'), /P0006/);
  await page.click('#order-submit');
  await page.waitForSelector('#order-status');
  // The rep may not approve their own order.
  assert.equal(await page.locator('#order-approve').count(), 0);

  // The manager approves it.
  const mgr = await signIn('zh-CN', 'zhangwei');
  await mgr.page.goto(orderUrl);
  await mgr.page.fill('#decision-comment', '同意，按合同执行。');
  await mgr.page.click('#order-approve');
  await mgr.page.waitForSelector('#records-note');
  assert.match(await mgr.page.textContent('#order-status'), /已审批|通过/);
  await mgr.context.close();

  // The rep records a payment; more than what is outstanding is refused on the field.
  await page.goto(orderUrl);
  await page.fill('#payment-amount', '20000');
  await page.click('#payment-submit');
  await page.waitForSelector('#payment-amount.is-invalid');
  await page.fill('#payment-amount', '5000');
  await page.click('#payment-submit');
  await page.waitForSelector('#payments-table >> text=5,000.00');
  assert.match(await page.textContent('#order-outstanding'), /6,340\.00/);
  await page.screenshot({ path: screenshotPath('sales-order-paid'), fullPage: true });

  // The customer page: purchased, paid and outstanding.
  await page.goto(customerUrl);
  await page.waitForSelector('#sales-purchases-total');
  assert.match(await page.textContent('#sales-purchases-total'), /11,340\.00/);
  assert.match(await page.textContent('#sales-outstanding'), /6,340\.00/);
  await rep.context.close();
});
