// The trust list: the page ships the demo's signed bundle and pins the demo
// operator's key; a list loaded from a file or an address must verify with
// a pinned key, else it is refused and the previous one stays. Which list is
// in use is shown from report.trust (publisher, edition, age). An older
// edition, or the same edition with other content, is refused, also after a
// reload; a stale list makes every verdict "Could not verify" (trust_stale).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launch, openPage, verdictOf, copySite, screenshotPath } from './harness.mjs';
import { valid, demoOperator, signEdition, otherOperatorKey } from './fixtures.mjs';

let srv;
let browser;
let dir;
let op;
const editions = {};
before(async () => {
  op = demoOperator();
  dir = copySite();
  for (const seq of [3, 5]) {
    editions[seq] = signEdition(op, { sequence: seq });
    fs.writeFileSync(path.join(dir, `edition-${seq}.jws`), editions[seq].bytes);
  }
  srv = await startServer({ site: dir });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(op.dir, { recursive: true, force: true });
});

const info = (page) => page.locator('#trust-info').textContent();
const message = (page) => page.locator('#trust-message').textContent();
const file = (name, bytes) => ({ name, mimeType: 'application/jose', buffer: Buffer.from(bytes) });

async function loadFile(page, name, bytes) {
  await page.evaluate(() => { document.getElementById('trust-message').dataset.kind = ''; });
  await page.setInputFiles('#trust-file', file(name, bytes));
  await page.locator('#trust-message[data-kind="error"], #trust-message[data-kind="ok"]').waitFor();
  return { kind: await page.locator('#trust-message').getAttribute('data-kind'), text: await message(page) };
}

test('the built-in list is the signed demo bundle, shown with its publisher, edition, age and key', async () => {
  const ctx = await browser.newContext({ locale: 'en-GB', viewport: { width: 900, height: 1000 } });
  try {
    const page = await openPage(ctx, srv.url);
    const text = await info(page);
    assert.match(text, /Published byApostille demo trust list/);
    assert.match(text, /Edition1/);
    assert.match(text, /old/);
    assert.match(text, /Verified with the publisher key built into this page \(nAAl61p9…\)/);
    assert.match(text, /Built into this page/);
    // The demo bundle carries the demo's own signed TS 119 612 list: a
    // qualified CA, an OCSP responder and a time-stamping authority.
    const box = page.locator('#trust-info');
    assert.equal(await box.getAttribute('data-services'), '3');
    assert.match(text, /Trust services named by this list: 3/);
    const types = await box.locator('.trust-services li').evaluateAll((ls) => ls.map((l) => l.dataset.type).sort());
    assert.equal(types.length, 3);
    assert.ok(types.some((t) => t.startsWith('CA/')), types.join());
    assert.ok(types.some((t) => t.startsWith('Certstatus/OCSP')), types.join());
    assert.ok(types.some((t) => t.startsWith('TSA')), types.join());
    const doc = valid();
    await page.click(`button.sample[data-file="${doc.file}"]`);
    const got = await verdictOf(page);
    assert.equal(got.state, 'valid');
    assert.match(got.text, /Apostille demo trust list, edition 1, issued .* before the check/);
    await page.locator('#trust').screenshot({ path: screenshotPath('trust-signed') });
  } finally {
    await ctx.close();
  }
});

test('load by address, refuse an older edition and another with the same number, remember across a reload', async () => {
  const ctx = await browser.newContext({ locale: 'en-GB' });
  try {
    const page = await openPage(ctx, srv.url);
    // An address is fetched over https only; this test's server is plain
    // http on 127.0.0.1, so the browser is shown an https address whose
    // answer the test gives (the request still leaves the page).
    const address = 'https://trust.example/edition-5.jws';
    await ctx.route(address, (route) => route.fulfill({ status: 200, contentType: 'application/jose', body: editions[5].bytes }));
    await page.fill('#trust-url', address);
    await page.click('#trust-url-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('trust-info').dataset.sequence === '5');
    assert.match(await message(page), /Trust list loaded/);
    assert.match(await info(page), /Edition5/);
    assert.match(await info(page), /Address: https:\/\/trust\.example/);
    await page.fill('#trust-url', new URL('edition-5.jws', srv.url).href);
    await page.click('#trust-url-form button[type=submit]');
    await page.locator('#trust-message[data-kind="error"]').waitFor();
    assert.match(await message(page), /could not be downloaded/, 'plain http is refused');

    let r = await loadFile(page, 'edition-3.jws', editions[3].bytes);
    assert.equal(r.kind, 'error');
    assert.match(r.text, /older \(edition 3\) than one already accepted .* \(edition 5\)/);
    assert.match(await info(page), /Edition5/, 'the accepted list stays in force');

    // Edition 5 again, signed by the same key but with other content: the
    // publisher said two things under one number.
    const other5 = signEdition(op, { sequence: 5, at: '2026-02-01T00:00:00Z', name: 'edition-5-other' });
    r = await loadFile(page, 'edition-5-other.jws', other5.bytes);
    assert.equal(r.kind, 'error');
    assert.match(r.text, /same edition \(5\) as one already accepted .* different content/);
    // The very same edition 5 is accepted again.
    r = await loadFile(page, 'edition-5.jws', editions[5].bytes);
    assert.equal(r.kind, 'ok');

    await page.reload();
    await page.waitForFunction(() => document.documentElement.dataset.engine === 'ready');
    assert.match(await info(page), /Edition5/);
    // The built-in edition 1 is older than the 5 accepted: refused too.
    await page.click('#trust-reset');
    await page.locator('#trust-message[data-kind="error"]').waitFor();
    assert.match(await message(page), /edition 1/);
    assert.match(await info(page), /Edition5/);
  } finally {
    await ctx.close();
  }
});

test('a list no pinned key verifies, or that is not signed, changes nothing', async () => {
  const ctx = await browser.newContext({ locale: 'en-GB' });
  try {
    const page = await openPage(ctx, srv.url);
    const refusedSignature = /does not verify with any publisher key built into this page/;
    // Signed by an operator this page does not know, under the same name.
    const stranger = signEdition(op, { sequence: 9, key: otherOperatorKey(op), name: 'stranger-9' });
    let r = await loadFile(page, 'stranger-9.jws', stranger.bytes);
    assert.equal(r.kind, 'error');
    assert.match(r.text, refusedSignature);
    // The demo's own edition with one byte of its content changed.
    const [h, p, s] = editions[5].bytes.toString().trim().split('.');
    const i = 60;
    const flipped = `${h}.${p.slice(0, i)}${p[i] === 'A' ? 'B' : 'A'}${p.slice(i + 1)}.${s}`;
    r = await loadFile(page, 'edition-5.jws', flipped);
    assert.equal(r.kind, 'error');
    assert.match(r.text, refusedSignature);
    // The same bundle, not signed at all.
    r = await loadFile(page, 'trust.json', JSON.stringify({ ...op.bundle, sequence: 99 }));
    assert.equal(r.kind, 'error');
    assert.match(r.text, /not signed/);
    // Not a trust list at all.
    r = await loadFile(page, 'broken.json', '{"keys":[{"kty":');
    assert.equal(r.kind, 'error');
    assert.match(r.text, /was not accepted/);

    assert.match(await info(page), /Built into this page/);
    assert.match(await info(page), /Edition1/);
    const doc = valid();
    await page.click(`button.sample[data-file="${doc.file}"]`);
    assert.equal((await verdictOf(page)).state, 'valid', 'the built-in list still decides');
    // None of them was remembered: edition 1 is still acceptable.
    await page.reload();
    await page.waitForFunction(() => document.documentElement.dataset.engine === 'ready');
    assert.match(await info(page), /Edition1/);
    assert.equal(await page.locator('#trust-message').getAttribute('data-kind'), null);
  } finally {
    await ctx.close();
  }
});

test('a stale list: every document "Could not verify", with the trust_stale explanation', async () => {
  const ctx = await browser.newContext({ locale: 'en-GB' });
  try {
    const page = await openPage(ctx, srv.url);
    // Edition 2, due for an update a day after it was issued, long ago.
    const stale = signEdition(op, { sequence: 2, at: '2026-01-15T09:00:00Z', validFor: '24h', name: 'stale-2' });
    const r = await loadFile(page, 'stale-2.jws', stale.bytes);
    assert.equal(r.kind, 'ok');
    assert.match(await info(page), /past its update date/);
    assert.equal(await page.locator('#trust-info').getAttribute('data-stale'), 'true');
    const doc = valid();
    await page.click(`button.sample[data-file="${doc.file}"]`);
    const got = await verdictOf(page);
    assert.equal(got.state, 'indeterminate');
    assert.equal(got.reason, 'trust_stale');
    assert.match(got.title, /Could not verify/);
    assert.match(got.text, /The trust list is out of date/);
    await page.locator('#results article').first().screenshot({ path: screenshotPath('verdict-trust-stale') });
  } finally {
    await ctx.close();
  }
});

test('a document never goes to the address of a trust list', async () => {
  const ctx = await browser.newContext({ locale: 'en-GB' });
  const urls = [];
  ctx.on('request', (r) => urls.push(r.url()));
  try {
    const page = await openPage(ctx, srv.url);
    const doc = valid();
    await page.fill('#paste', doc.bytes.toString());
    // Even a person who pastes a document where an address goes gets no
    // request that carries it: only https:// or this site is fetched.
    await page.fill('#trust-url', doc.bytes.toString());
    await page.click('#trust-url-form button[type=submit]');
    await page.locator('#trust-message[data-kind="error"]').waitFor();
    for (const u of urls) assert.ok(!u.includes(doc.bytes.toString().slice(0, 40)), u);
  } finally {
    await ctx.close();
  }
});
