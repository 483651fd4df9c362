// The trust list: shipped, loaded from a file or an address, shown with its
// publisher, edition and age; an older edition is refused, also after a
// reload; a list the module refuses leaves the previous one in force.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launch, openPage, verdictOf, copySite } from './harness.mjs';
import { valid } from './fixtures.mjs';

let srv;
let browser;
let dir;
before(async () => {
  dir = copySite();
  const base = JSON.parse(fs.readFileSync(path.join(dir, 'trust/default.json'), 'utf8'));
  for (const seq of [3, 5]) {
    fs.writeFileSync(path.join(dir, `edition-${seq}.json`), JSON.stringify({ ...base, sequence: seq }));
  }
  srv = await startServer({ site: dir });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const info = (page) => page.locator('#trust-info').textContent();
const message = (page) => page.locator('#trust-message').textContent();

test('load by address, refuse an older edition, remember across a reload', async () => {
  const ctx = await browser.newContext({ locale: 'en-GB' });
  try {
    const page = await openPage(ctx, srv.url);
    assert.match(await info(page), /Apostille demo trust list/);
    assert.match(await info(page), /Edition1/);
    assert.match(await info(page), /Built into this page/);
    assert.match(await info(page), /old/);

    // An address is fetched over https only; this test's server is plain
    // http on 127.0.0.1, so the browser is shown an https address whose
    // answer the test gives (the request still leaves the page).
    const address = 'https://trust.example/edition-5.json';
    await ctx.route(address, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: fs.readFileSync(path.join(dir, 'edition-5.json')) }));
    await page.fill('#trust-url', address);
    await page.click('#trust-url-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('trust-info').textContent.includes('Edition5'));
    assert.match(await message(page), /Trust list loaded/);
    assert.match(await info(page), /Address: https:\/\/trust\.example/);
    await page.fill('#trust-url', new URL('edition-5.json', srv.url).href);
    await page.click('#trust-url-form button[type=submit]');
    await page.locator('#trust-message[data-kind="error"]').waitFor();
    assert.match(await message(page), /could not be downloaded/, 'plain http is refused');

    await page.setInputFiles('#trust-file', { name: 'edition-3.json', mimeType: 'application/json', buffer: fs.readFileSync(path.join(dir, 'edition-3.json')) });
    await page.locator('#trust-message[data-kind="error"]').waitFor();
    assert.match(await message(page), /older \(edition 3\) than one already accepted .* \(edition 5\)/);
    assert.match(await info(page), /Edition5/, 'the accepted list stays in force');

    await page.reload();
    await page.waitForFunction(() => document.documentElement.dataset.engine === 'ready');
    assert.match(await info(page), /Edition5/);
    // The built-in edition 1 is older than the 5 accepted: refused too.
    await page.click('#trust-reset');
    await page.locator('#trust-message[data-kind="error"]').waitFor();
    assert.match(await message(page), /edition 1/);
  } finally {
    await ctx.close();
  }
});

test('a list the module refuses changes nothing', async () => {
  const ctx = await browser.newContext({ locale: 'en-GB' });
  try {
    const page = await openPage(ctx, srv.url);
    await page.setInputFiles('#trust-file', { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"trust_bundle":"v1","issuers":[{"id":') });
    await page.locator('#trust-message[data-kind="error"]').waitFor();
    assert.match(await message(page), /was not accepted/);
    assert.match(await info(page), /Built into this page/);
    const doc = valid();
    await page.click(`button.sample[data-file="${doc.file}"]`);
    assert.equal((await verdictOf(page)).state, 'valid', 'the built-in list still decides');
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
