// Helpers for the Playwright browser tests (run them with scripts/browser-test.sh).
//
//   import { launchBrowser, startServer, screenshotPath } from './lib.mjs';
//
//   const server = await startServer();          // fresh SQLite database
//   await server.runCli(['user', 'create', ...,  '--password-stdin'], 'secret\n');
//   const browser = await launchBrowser();
//   const page = await browser.newPage();
//   await page.goto(server.url + '/');
//   await page.screenshot({ path: screenshotPath('home') });
//   await browser.close();
//   await server.stop();

import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BROWSER_TEST_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(BROWSER_TEST_DIR, '..', '..');
export const SCREENSHOT_DIR = path.join(BROWSER_TEST_DIR, 'screenshots');
mkdirSync(SCREENSHOT_DIR, { recursive: true });

export const CHROMIUM_PATH = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

/** Absolute path for a screenshot called `name` (".png" is appended if missing). */
export function screenshotPath(name) {
  return path.join(SCREENSHOT_DIR, name.endsWith('.png') ? name : `${name}.png`);
}

/** The crm binary under test: $CRM_BIN, else the debug build in $CARGO_TARGET_DIR (or ./target). */
export function crmBin() {
  if (process.env.CRM_BIN) return process.env.CRM_BIN;
  const targetDir = process.env.CARGO_TARGET_DIR || path.join(REPO_ROOT, 'target');
  return path.resolve(REPO_ROOT, targetDir, 'debug', 'crm');
}

/**
 * Launch Debian's Chromium headless through Playwright. Returns a playwright-core
 * Browser; close it with `await browser.close()`.
 *
 * Notes on the flags:
 *  - Headless mode is Playwright's job: `headless: true` makes it pass `--headless`
 *    (Chromium >= 132 only has the "new" headless mode, so no `--headless=new`).
 *  - Playwright refuses a `--user-data-dir` argument for `launch()`; it already
 *    creates a fresh temporary profile for every launch and deletes it on close.
 *  - `--no-sandbox` is also added by Playwright (chromiumSandbox defaults to false);
 *    it is listed here as well because we run as root in CI.
 */
export async function launchBrowser(options = {}) {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} not found; run scripts/ensure-chromium.sh`);
  }
  const { args = [], ...rest } = options;
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...args,
    ],
    ...rest,
  });
}

/** A currently free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Servers still running when the process exits (e.g. a test threw before
// calling stop()) are killed here so no crm process outlives the test run.
const liveServers = new Set();
process.on('exit', () => {
  for (const s of liveServers) {
    try {
      s.child.kill('SIGKILL');
    } catch {}
    try {
      rmSync(s.tmp, { recursive: true, force: true });
    } catch {}
  }
});

/** Keep the last `max` characters written to a stream. */
function tail(stream, max = 64 * 1024) {
  const buf = { text: '' };
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buf.text += chunk;
    if (buf.text.length > max) buf.text = buf.text.slice(-max);
  });
  return buf;
}

/**
 * Start `crm serve` on a free loopback port with a fresh SQLite database in a
 * temporary directory, and wait until GET /healthz answers 200 (30 s timeout).
 *
 * Returns { url, port, databaseUrl, tmpDir, logs(), runCli(args, stdin?), stop() }.
 *  - runCli(args, stdin) runs the same binary against the same database, e.g.
 *    runCli(['user', 'create', 'alice', '--password-stdin'], 'pw\n'), and
 *    resolves with { code, stdout, stderr } (it does not reject on a non-zero code).
 *  - stop() kills the server and removes the temporary directory (idempotent).
 */
export async function startServer({ timeoutMs = 30_000, env = {} } = {}) {
  const bin = crmBin();
  if (!existsSync(bin)) {
    throw new Error(`crm binary not found at ${bin}; build it with: cargo build -p crm --bin crm (or set CRM_BIN)`);
  }
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'crm-browser-'));
  const port = await freePort();
  const databaseUrl = `sqlite://${path.join(tmp, 'crm.db')}?mode=rwc`;
  const childEnv = { ...process.env, CRM_LOG: 'warn', ...env };
  const url = `http://127.0.0.1:${port}`;

  const child = spawn(bin, ['--database-url', databaseUrl, 'serve', '--bind', `127.0.0.1:${port}`], {
    cwd: tmp,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Do not let a forgotten stop() keep the test process alive: the server
  // does not hold the event loop open, and the 'exit' hook above kills it.
  child.unref();
  child.stdout.unref();
  child.stderr.unref();
  const out = tail(child.stdout);
  const err = tail(child.stderr);
  const logs = () => out.text + err.text;

  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
    child.on('error', (e) => {
      exited = { code: null, signal: null, error: e };
      resolve(exited);
    });
  });

  const record = { child, tmp };
  liveServers.add(record);

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    if (exited === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exitPromise;
      clearTimeout(timer);
    }
    liveServers.delete(record);
    await rm(tmp, { recursive: true, force: true });
  }

  function runCli(args, stdin) {
    return new Promise((resolve, reject) => {
      const p = spawn(bin, ['--database-url', databaseUrl, ...args], {
        cwd: tmp,
        env: childEnv,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      p.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
      p.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
      const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
      p.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      p.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
      });
      p.stdin.on('error', () => {}); // the CLI may exit without reading stdin
      if (stdin !== undefined && stdin !== null) p.stdin.write(stdin);
      p.stdin.end();
    });
  }

  // Wait for /healthz.
  const deadline = Date.now() + timeoutMs;
  let lastError = null;
  for (;;) {
    if (exited !== null) {
      await sleep(50); // let the last output arrive
      await stop();
      const why = exited.error ? exited.error.message : `exit code ${exited.code}, signal ${exited.signal}`;
      throw new Error(`crm serve exited before becoming healthy (${why}); output:\n${logs()}`);
    }
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
      lastError = `HTTP ${res.status}`;
    } catch (e) {
      lastError = e.cause?.code || e.message;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`crm serve did not answer 200 on ${url}/healthz within ${timeoutMs} ms (last: ${lastError}); output:\n${logs()}`);
    }
    await sleep(100);
  }

  return { url, port, databaseUrl, tmpDir: tmp, logs, runCli, stop };
}

/**
 * On a customer page (`page` already there), write a quote for `quantity` × the demo
 * catalogue product `code` less `discount` % through the line editor and save it;
 * resolves when the saved quote shows its total (`#quote-total`).
 */
export async function writeQuote(page, { title, code, quantity, discount }) {
  await page.waitForSelector('#sales-new-quote');
  await page.click('#sales-new-quote');
  await page.waitForSelector('#quote-title');
  await page.fill('#quote-title', title);
  const row = page.locator('#lines-table tr[data-line]').first();
  const value = await row.locator('select[name=line_product_id] option', { hasText: code }).getAttribute('value');
  await row.locator('select[name=line_product_id]').selectOption(value);
  await row.locator('input[name=line_quantity]').fill(quantity);
  await row.locator('input[name=line_discount]').fill(discount);
  await page.click('#quote-save');
  await page.waitForSelector('#quote-total');
}
