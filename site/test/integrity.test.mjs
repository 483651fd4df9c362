// The page runs only its own code: a Content-Security-Policy in the headers
// and in a meta tag, no inline script, subresource integrity for its script,
// and a module that is refused, not run, when its bytes changed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launch, openPage, verdictOf, copySite, buildInfo, SITE } from './harness.mjs';
import { CSP } from '../lib/csp.mjs';
import { valid } from './fixtures.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('index.html has no inline script and pins its script and styles', () => {
  const html = fs.readFileSync(path.join(SITE, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1);
  for (const [, attrs, body] of scripts) {
    assert.match(attrs, /\bsrc="assets\/[^"]+\.js"/);
    assert.match(attrs, /\bintegrity="sha384-[A-Za-z0-9+/=]+"/);
    assert.equal(body.trim(), '');
  }
  assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
  assert.doesNotMatch(html, /\sstyle=/i, 'no inline styles');
  assert.match(html, /<link rel="stylesheet" href="assets\/[^"]+" integrity="sha384-/);
  assert.ok(html.includes(`content="${CSP}"`), 'the meta CSP is the build’s');
  assert.ok(CSP.includes("script-src 'self' 'wasm-unsafe-eval';"));
  for (const [, url] of html.matchAll(/\b(?:src|href)="([^"]*)"/g)) {
    assert.doesNotMatch(url, /^(https?:)?\/\//, `${url}: nothing is loaded from another site`);
  }
});

test('the server sends the same policy as the meta tag, and the module as application/wasm', async () => {
  const srv = await startServer();
  try {
    const res = await fetch(srv.url);
    const header = res.headers.get('content-security-policy');
    assert.equal(header, CSP + "; frame-ancestors 'none'");
    const info = buildInfo();
    const wasm = await fetch(new URL(info.wasm.file, srv.url), { headers: { 'accept-encoding': 'br' } });
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    assert.equal(wasm.headers.get('content-encoding'), 'br');
    assert.equal(Number(wasm.headers.get('content-length')), info.wasm.brotli);
  } finally {
    await srv.stop();
  }
});

test('no CSP violation while the page works', async () => {
  const srv = await startServer();
  const ctx = await browser.newContext();
  try {
    await ctx.addInitScript(() => {
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const page = await openPage(ctx, srv.url);
    const doc = valid();
    await page.click(`button.sample[data-file="${doc.file}"]`);
    assert.equal((await verdictOf(page)).state, 'valid');
    await page.locator('details.technical summary').first().click();
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    assert.deepEqual(page.errors, []);
  } finally {
    await ctx.close();
    await srv.stop();
  }
});

test('a changed module is refused, not run', async () => {
  const dir = copySite();
  const info = buildInfo(dir);
  const file = path.join(dir, info.wasm.file);
  const bytes = fs.readFileSync(file);
  // One byte flipped in the last section: still a valid module to compile,
  // no longer the one the page pins.
  bytes[bytes.length - 1] ^= 0x01;
  fs.writeFileSync(file, bytes);
  fs.rmSync(file + '.br');
  fs.rmSync(file + '.gz');
  const srv = await startServer({ site: dir });
  const ctx = await browser.newContext({ locale: 'en-GB' });
  try {
    await ctx.addInitScript(() => {
      // Count instantiations: a refused module must never be instantiated.
      window.__instantiated = 0;
      const orig = WebAssembly.instantiate;
      WebAssembly.instantiate = function (...a) { window.__instantiated++; return orig.apply(this, a); };
    });
    const page = await openPage(ctx, srv.url, { wait: 'refused' });
    const status = page.locator('#engine-status');
    assert.equal(await status.getAttribute('role'), 'alert');
    assert.match(await status.textContent(), /did not match the fingerprint/);
    assert.equal(await page.evaluate(() => window.__instantiated), 0);
    assert.ok(await page.locator('#paste-go').isDisabled());
    assert.ok(await page.locator('button.sample').first().isDisabled());
  } finally {
    await ctx.close();
    await srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a host that serves the module with another content type still works', async () => {
  const srv = await startServer();
  const ctx = await browser.newContext({ locale: 'en-GB' });
  try {
    // A plain folder on a host whose MIME table lacks .wasm: streaming
    // compilation refuses it, the page compiles the checked bytes instead.
    await ctx.route('**/*.wasm', async (route) => {
      const res = await route.fetch();
      const { 'content-encoding': _e, 'content-length': _l, ...headers } = res.headers();
      await route.fulfill({ status: 200, body: await res.body(), headers: { ...headers, 'content-type': 'application/octet-stream' } });
    });
    const page = await openPage(ctx, srv.url);
    const doc = valid();
    await page.click(`button.sample[data-file="${doc.file}"]`);
    assert.equal((await verdictOf(page)).state, 'valid');
    assert.deepEqual(page.errors, []);
  } finally {
    await ctx.unrouteAll({ behavior: 'ignoreErrors' });
    await ctx.close();
    await srv.stop();
  }
});
