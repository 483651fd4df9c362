// Status lists fetched by their address. The page here starts with an
// edition of the demo trust list that ships no status list, so the module
// cannot tell whether the revoked residence certificate was revoked until
// the page downloads the list the document names and hands it in. The
// demo's status lists are served at their https addresses with the files
// the test server serves from the demo's status/ folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startServer, launch, openPage, verdictOf, screenshotPath } from './harness.mjs';
import { sample, sampleFile, claimsOf, demoOperator, signEdition, withoutStatusLists, serveStatusLists, statusLists } from './fixtures.mjs';

let srv;
let browser;
let op;
before(async () => {
  op = demoOperator();
  const edition = signEdition(op, { sequence: 2, bundle: withoutStatusLists(op.bundle), name: 'no-status-lists-2' });
  srv = await startServer({ trust: [edition.file], trustKeys: [op.publicKey] });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
  fs.rmSync(op.dir, { recursive: true, force: true });
});

const revoked = () => sample('invalid', 'revoked');
const standing = () => sampleFile('ee-residence-certificate.jwt');

async function check(page, s) {
  await page.evaluate(() => document.getElementById('results').replaceChildren());
  await page.click(`button.sample[data-file="${s.file}"]`);
  return verdictOf(page);
}

test('the revoked document is decided with the list fetched from its address, once', async () => {
  const ctx = await browser.newContext({ locale: 'en-GB', viewport: { width: 900, height: 1000 } });
  try {
    const requests = await serveStatusLists(ctx, srv);
    const page = await openPage(ctx, srv.url);
    assert.equal(await page.locator('#trust-info').getAttribute('data-sequence'), '2');
    const doc = revoked();
    const uri = claimsOf(doc).status.status_list.uri;
    assert.ok(statusLists().some((l) => l.uri === uri), 'the demo serves the list the document names');

    const got = await check(page, doc);
    assert.equal(got.state, 'invalid');
    assert.equal(got.reason, 'revoked');
    const field = page.locator('#results article [data-status-list]');
    assert.equal(await field.getAttribute('data-status-list'), 'fetched');
    assert.match(await field.textContent(), /Downloaded from rahvastikuregister\.example\.ee at .*Only the list’s address was requested/);
    await page.locator('#results article').first().screenshot({ path: screenshotPath('verdict-revoked-list-fetched') });

    // The request: the list's address as the document names it, nothing else.
    assert.equal(requests.length, 1);
    const r = requests[0];
    assert.equal(r.url(), uri);
    assert.equal(r.method(), 'GET');
    assert.equal(r.postDataBuffer(), null);
    const headers = await r.allHeaders();
    for (const h of ['cookie', 'referer', 'authorization']) assert.equal(headers[h], undefined, h);

    // Another document on the same list: the list kept in memory decides.
    const ok = await check(page, standing());
    assert.equal(ok.state, 'valid');
    assert.equal(requests.length, 1, 'the list was kept, not fetched again');
    assert.deepEqual(page.errors, []);
  } finally {
    await ctx.close();
  }
});

test('a kept list is fetched again after its ttl', async () => {
  const ctx = await browser.newContext({ locale: 'en-GB' });
  try {
    const requests = await serveStatusLists(ctx, srv);
    const page = await openPage(ctx, srv.url);
    const now = Date.now();
    await page.clock.setFixedTime(new Date(now));
    assert.equal((await check(page, revoked())).reason, 'revoked');
    assert.equal(requests.length, 1);
    // The demo's list says ttl 12 hours: within it the kept list serves...
    await page.clock.setFixedTime(new Date(now + 11 * 3600e3));
    assert.equal((await check(page, standing())).state, 'valid');
    assert.equal(requests.length, 1);
    // ...after it, the list is fetched again.
    await page.clock.setFixedTime(new Date(now + 13 * 3600e3));
    assert.equal((await check(page, revoked())).reason, 'revoked');
    assert.equal(requests.length, 2);
  } finally {
    await ctx.close();
  }
});

test('a list that cannot be fetched leaves the status unknown, and the page says so', async () => {
  const ctx = await browser.newContext({ locale: 'en-GB' });
  try {
    const requests = await serveStatusLists(ctx, srv, { abort: true });
    const page = await openPage(ctx, srv.url);
    const got = await check(page, revoked());
    assert.equal(got.state, 'indeterminate');
    assert.equal(got.reason, 'status_unknown');
    assert.match(got.text, /We could not find out whether the issuer has withdrawn this document/);
    const field = page.locator('#results article [data-status-list]');
    assert.equal(await field.getAttribute('data-status-list'), 'failed');
    assert.match(await field.textContent(), /Could not be downloaded from rahvastikuregister\.example\.ee/);
    assert.equal(requests.length, 1);
  } finally {
    await ctx.close();
  }
});

test('with the built-in trust list, which ships the status list, nothing is fetched', async () => {
  const own = await startServer();
  const ctx = await browser.newContext({ locale: 'en-GB' });
  try {
    const requests = await serveStatusLists(ctx, own);
    const page = await openPage(ctx, own.url);
    const got = await check(page, revoked());
    assert.equal(got.reason, 'revoked');
    const field = page.locator('#results article [data-status-list]');
    assert.equal(await field.getAttribute('data-status-list'), 'bundle');
    assert.match(await field.textContent(), /Included in the trust list/);
    assert.equal(requests.length, 0);
  } finally {
    await ctx.close();
    await own.stop();
  }
});
