// Ad-hoc: screenshots of every page with demo data (not a test; run by hand).
import { launchBrowser, startServer } from './lib.mjs';
const server = await startServer();
const r = await server.runCli(['demo', '--customers', '400']);
if (r.code !== 0) throw new Error(r.stderr);
const browser = await launchBrowser();
const lang = process.argv[2] || 'zh-CN';
const ctx = await browser.newContext({ locale: lang, viewport: { width: 1366, height: 800 } });
const page = await ctx.newPage();
await page.goto(server.url + '/login');
await page.fill('#username', process.argv[3] || 'admin');
await page.fill('#password', 'demo1234');
await page.click('button[type=submit]');
await page.waitForSelector('#current-user');
for (const p of (process.argv[4] || '/,/customers,/customers/7,/customers/7/edit,/activities,/admin/departments,/admin/users,/admin/roles,/admin/audit,/admin/recycle,/account').split(',')) {
  await page.goto(server.url + p);
  await page.waitForTimeout(800);
  await page.screenshot({ path: `/tmp/shots/${lang}${p.replaceAll('/', '_').replaceAll('?', '_')}.png`, fullPage: true });
}
await browser.close();
await server.stop();
