// Test harness: the real `apostille serve` on 127.0.0.1 (a random port) and
// Debian's Chromium driven by playwright-core. Chromium is installed by the
// project (scripts/chromium.sh, run by `make site-test`), never downloaded by
// a test tool.
import { spawn } from 'node:child_process';
import { before, after } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '../..');
export const SITE = path.resolve(ROOT, process.env.APOSTILLE_SITE_OUT || 'build/site');
export const BIN = path.resolve(ROOT, process.env.APOSTILLE_BIN || 'bin/apostille');
export const SCREENSHOTS = path.resolve(ROOT, 'build/screenshots');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const DATA = path.join(here, 'testdata');

// The flags this machine needs: no sandbox as root, and no background
// connections to the outside (they are refused here, and slow start-up).
export const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export function buildInfo(site = SITE) {
  return JSON.parse(fs.readFileSync(path.join(site, 'build-info.json'), 'utf8'));
}

/**
 * startServer runs `apostille serve` and resolves once it listens. The API
 * next to the page takes the same trust, so a signed bundle needs its
 * operator's key pinned (trustKeys); no rollback state is kept between the
 * tests' servers, which sign editions with sequences of their own.
 */
export function startServer({ site = SITE, trust = [], trustKeys = [] } = {}) {
  const args = ['serve', '--addr', '127.0.0.1:0', '--site', site, '--trust-state', 'none'];
  for (const t of trust) args.push('--trust', t);
  for (const k of trustKeys) args.push('--trust-key', k);
  const proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        resolve({
          url: m[1],
          stop: () => new Promise((r) => {
            if (proc.exitCode !== null) return r();
            proc.once('exit', () => r());
            proc.kill('SIGTERM');
          }),
        });
      }
    });
    proc.once('exit', (code) => reject(new Error(`apostille serve exited ${code}: ${err}`)));
  });
}

/** launch starts Chromium with a fresh profile. */
export async function launch(extraArgs = []) {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...FLAGS, ...extraArgs] });
}

/** copySite copies the built site to a temporary folder a test may change. */
export function copySite() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apostille-site-'));
  fs.cpSync(SITE, dir, { recursive: true });
  return dir;
}

/** openPage opens the page and waits until the module is ready. */
export async function openPage(context, url, { wait = 'ready' } = {}) {
  const page = await context.newPage();
  // Two cores shared with other builds: generous waits, never timed assertions.
  page.setDefaultTimeout(60000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.errors = errors;
  await page.goto(url);
  if (wait) await page.waitForFunction((w) => document.documentElement.dataset.engine === w, wait);
  return page;
}

/** verdictOf waits for the first result card and returns its state and reason. */
export async function verdictOf(page) {
  const card = page.locator('#results article.result').first();
  await card.waitFor({ timeout: 60000 });
  return {
    state: await card.getAttribute('data-state'),
    reason: await card.getAttribute('data-reason'),
    title: (await card.locator('h2').textContent()).trim(),
    text: await card.textContent(),
  };
}

export function screenshotPath(name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return path.join(SCREENSHOTS, name + '.png');
}

/**
 * serverAndBrowser starts the server and Chromium before a file's tests
 * and stops both after them; the returned object holds srv and browser.
 */
export function serverAndBrowser() {
  const env = {};
  before(async () => {
    env.srv = await startServer();
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.srv?.stop();
  });
  return env;
}
