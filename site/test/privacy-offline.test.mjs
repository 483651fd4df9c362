// No request carries document data, and after the first visit the page
// works offline and says so. The one request a document leads to is for
// the status list it names: its address only, which the issuer signed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startServer, launch, openPage, verdictOf } from './harness.mjs';
import { valid, tampered, sample, claimsOf, qrPNG, pdfWithQR, demoOperator, signEdition, withoutStatusLists, serveStatusLists } from './fixtures.mjs';

let browser;
let op;
before(async () => {
  browser = await launch();
  op = demoOperator();
});
after(async () => {
  await browser?.close();
  fs.rmSync(op.dir, { recursive: true, force: true });
});

/** needles are pieces of a document as they could appear in a request. */
function needles(bytes) {
  const b = Buffer.from(bytes);
  const out = new Set();
  for (const enc of ['utf8', 'base64', 'base64url', 'hex']) {
    const s = b.toString(enc);
    for (let i = 0; i + 24 <= s.length; i += Math.max(1, Math.floor(s.length / 8))) out.add(s.slice(i, i + 24));
  }
  return [...out].flatMap((n) => [n, encodeURIComponent(n)]);
}

test('no request after load carries document data', async () => {
  // A trust list without the status lists the demo ships: the revoked
  // document makes the page fetch its list.
  const edition = signEdition(op, { sequence: 2, bundle: withoutStatusLists(op.bundle), name: 'no-status-lists' });
  const srv = await startServer({ trust: [edition.file], trustKeys: [op.publicKey] });
  const ctx = await browser.newContext({ locale: 'en-GB' });
  const log = [];
  const record = (req) => log.push({
    url: req.url(),
    method: req.method(),
    body: req.postDataBuffer() || Buffer.alloc(0),
    headers: req.allHeaders().then(JSON.stringify),
  });
  ctx.on('request', record);
  try {
    await serveStatusLists(ctx, srv);
    const page = await openPage(ctx, srv.url);
    await page.waitForFunction(() => document.documentElement.dataset.offlineReady === 'true');
    const loaded = log.length;
    const docs = [valid(), tampered(), sample('invalid', 'revoked')];
    const listURI = claimsOf(docs[2]).status.status_list.uri;
    // Every way in that takes a document from the user.
    await page.setInputFiles('#file-input', { name: 'a.jwt', mimeType: 'text/plain', buffer: docs[0].bytes });
    assert.equal((await verdictOf(page)).state, 'valid');
    await page.fill('#paste', docs[1].bytes.toString());
    await page.click('#paste-go');
    await page.locator('#results article[data-state="invalid"]').waitFor();
    await page.setInputFiles('#file-input', { name: 'qr.png', mimeType: 'image/png', buffer: await qrPNG(docs[0].bytes) });
    await page.locator('#results article[data-state="valid"]').waitFor();
    await page.setInputFiles('#file-input', { name: 'p.pdf', mimeType: 'application/pdf', buffer: await pdfWithQR(docs[1].bytes) });
    await page.locator('#results article[data-state="invalid"]').waitFor();
    await page.locator('details.technical summary').first().click();
    // A document whose status the module cannot know without its list.
    await page.fill('#paste', docs[2].bytes.toString());
    await page.click('#paste-go');
    await page.locator('#results article[data-reason="revoked"]').waitFor();

    const after = log.slice(loaded);
    assert.ok(log.length > 5, 'requests were recorded');
    const origin = new URL(srv.url).origin;
    for (const r of log) {
      const headers = await r.headers;
      assert.equal(r.method, 'GET', `${r.method} ${r.url}`);
      assert.equal(r.body.length, 0, `${r.url} has a body`);
      if (r.url === listURI) {
        // Off the site only for the status list, without anything that
        // would tie the request to the page or the person.
        for (const h of ['cookie', 'referer', 'authorization']) assert.ok(!(h in JSON.parse(headers)), `${h} sent with ${r.url}`);
      } else {
        assert.equal(new URL(r.url).origin, origin, `${r.url} goes to the page's own site`);
      }
      for (const d of docs) {
        for (const n of needles(d.bytes)) {
          assert.ok(!r.url.includes(n) && !headers.includes(n), `${r.url} carries document data`);
        }
      }
    }
    // Whatever was requested after load is the page's own code (pdf.js,
    // jsQR chunks) or the status list the revoked document names, once;
    // never a document.
    assert.deepEqual(after.filter((r) => r.url === listURI).length, 1);
    for (const r of after) if (r.url !== listURI) assert.match(new URL(r.url).pathname, /^\/assets\//, r.url);
  } finally {
    await ctx.close();
    await srv.stop();
  }
});

test('after the first visit the page works offline and says so', async () => {
  const srv = await startServer();
  const ctx = await browser.newContext({ locale: 'en-GB' });
  try {
    let page = await openPage(ctx, srv.url);
    await page.waitForFunction(() => document.documentElement.dataset.offlineReady === 'true');
    assert.match(await page.locator('#offline-status').textContent(), /Ready to work offline/);
    await page.close();

    // The server is gone: everything comes from the service worker.
    await srv.stop();
    page = await openPage(ctx, srv.url);
    const doc = tampered();
    await page.click(`button.sample[data-file="${doc.file}"]`);
    const got = await verdictOf(page);
    assert.equal(got.state, 'invalid');
    assert.equal(got.reason, 'signature_invalid');
    // PDFs too: pdf.js and its worker are kept.
    await page.setInputFiles('#file-input', { name: 'p.pdf', mimeType: 'application/pdf', buffer: await pdfWithQR(valid().bytes) });
    await page.locator('#results article[data-state="valid"]').waitFor({ timeout: 60000 });

    await ctx.setOffline(true);
    await page.reload();
    await page.waitForFunction(() => document.documentElement.dataset.engine === 'ready');
    await page.waitForFunction(() => /offline/i.test(document.getElementById('offline-status').textContent));
    assert.match(await page.locator('#offline-status').textContent(), /You are offline\. Checking still works\./);
    await page.fill('#paste', valid().bytes.toString());
    await page.click('#paste-go');
    assert.equal((await verdictOf(page)).state, 'valid');
    assert.deepEqual(page.errors, []);
  } finally {
    await ctx.close();
    await srv.stop();
  }
});
