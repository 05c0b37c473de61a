// The platform in a real browser: sign in, switch language, create a department and a
// user, sign out; and the first-run setup page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startServer, screenshotPath } from './lib.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  const r = await server.runCli(
    ['user', 'create', '--username', 'admin', '--role', 'admin', '--display-name', '管理员', '--password-stdin'],
    'admin-password-1\n',
  );
  assert.equal(r.code, 0, r.stderr);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('sign in, switch language, create a department and a user, sign out', async () => {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(server.url + '/');
  assert.match(page.url(), /\/login\?next=/);
  await page.fill('#username', 'admin');
  await page.fill('#password', 'wrong-password');
  await page.click('button[type=submit]');
  await page.waitForSelector('#login-error');
  assert.match(await page.textContent('#login-error'), /Wrong username or password/);

  await page.fill('#password', 'admin-password-1');
  await page.click('button[type=submit]');
  await page.waitForSelector('#current-user');
  assert.match(await page.textContent('#current-user'), /管理员/);
  assert.match(await page.textContent('#sign-out'), /Sign out/);
  await page.waitForSelector('[data-echart] canvas');
  await page.screenshot({ path: screenshotPath('home-en'), fullPage: true });

  // Switch to Chinese: every label changes, the choice sticks across pages.
  await page.click('a[data-lang="zh-CN"]');
  await page.waitForSelector('text=退出登录');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  await page.screenshot({ path: screenshotPath('home-zh'), fullPage: true });

  // Create a department.
  await page.click('a[href="/admin/departments"]');
  await page.fill('#dept-name', '华南大区');
  await page.click('#department-form button[type=submit]');
  await page.waitForSelector('#departments-table >> text=华南大区');
  // An empty name shows a field error and creates nothing.
  await page.fill('#dept-name', '');
  await page.click('#department-form button[type=submit]');
  await page.waitForSelector('#dept-name.is-invalid');
  assert.match(await page.textContent('.invalid-feedback'), /必填/);
  await page.screenshot({ path: screenshotPath('departments-zh'), fullPage: true });

  // Create a user in that department.
  await page.goto(server.url + '/admin/users/new');
  await page.fill('#user-username', 'huangfei');
  await page.fill('#user-display-name', '黄飞');
  await page.fill('#user-password', 'user-password-1');
  await page.selectOption('#user-role', 'sales_rep');
  const dept = await page.locator('#user-department option', { hasText: '华南大区' }).getAttribute('value');
  await page.selectOption('#user-department', dept);
  await page.click('#user-submit');
  await page.waitForSelector('#users-table >> text=黄飞');
  const row = await page.textContent('#users-table tr:has-text("huangfei")');
  assert.match(row, /销售代表/);
  assert.match(row, /华南大区/);
  await page.screenshot({ path: screenshotPath('users-zh'), fullPage: true });

  // Back to English, then sign out.
  await page.click('a[data-lang="en"]');
  await page.waitForSelector('text=Sign out');
  await page.click('#sign-out');
  await page.waitForSelector('#username');
  assert.match(page.url(), /\/login/);
  // The old session is gone.
  await page.goto(server.url + '/admin/users');
  assert.match(page.url(), /\/login/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the new user signs in and sees no administration', async () => {
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(server.url + '/login');
  assert.match(await page.textContent('button[type=submit]'), /登录/);
  await page.fill('#username', 'huangfei');
  await page.fill('#password', 'user-password-1');
  await page.click('button[type=submit]');
  await page.waitForSelector('#current-user');
  assert.match(await page.textContent('#home-role'), /销售代表/);
  assert.equal(await page.locator('a[href="/admin/departments"]').count(), 0);
  await context.close();
});

test('first run offers the setup page', async () => {
  const fresh = await startServer();
  try {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(fresh.url + '/');
    await page.waitForSelector('#display_name');
    assert.match(page.url(), /\/setup/);
    await page.fill('#username', 'root');
    await page.fill('#display_name', 'Root Admin');
    await page.fill('#password', 'root-password-1');
    await page.click('button[type=submit]');
    await page.waitForSelector('#current-user');
    assert.match(await page.textContent('#current-user'), /Root Admin/);
    await context.close();
  } finally {
    await fresh.stop();
  }
});
