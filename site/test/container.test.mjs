// DigiDoc containers on the page: a dropped .asice shows who signed, when
// and whether each signature holds, and the files it holds, each saved from
// the container on this device after its SHA-256 was checked against the
// report; a container whose data file changed after signing shows the
// failing signature; the words are the page's language.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { serverAndBrowser, openPage, verdictOf, screenshotPath } from './harness.mjs';
import { sampleFile, zipOf } from './fixtures.mjs';

const env = serverAndBrowser();
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function drop(page, s) {
  const name = s.file.split('/').pop();
  await page.setInputFiles('#file-input', { name, mimeType: 'application/vnd.etsi.asic-e+zip', buffer: s.bytes });
  return verdictOf(page);
}

function report(text) {
  return JSON.parse(text);
}

test('a valid container shows its signers and files, and a file is saved checked', async () => {
  const ctx = await env.browser.newContext({ locale: 'en-GB', acceptDownloads: true, viewport: { width: 900, height: 1400 } });
  try {
    const page = await openPage(ctx, env.srv.url);
    const s = sampleFile('digidoc-contract-b-lt.asice');
    const got = await drop(page, s);
    assert.equal(got.state, s.verdict);
    const card = page.locator('#results article.result').first();
    const rep = report(await card.locator('pre.raw-report').textContent());
    assert.equal(rep.container.signatures.length, 2);

    const sigs = card.locator('li.signature');
    assert.equal(await sigs.count(), 2);
    assert.deepEqual(await sigs.evaluateAll((ls) => ls.map((l) => l.dataset.verdict)), ['valid', 'valid']);
    const first = await sigs.nth(0).textContent();
    assert.match(first, /Signature holds/);
    assert.match(first, /MÄNNIK,MARI-LIIS,47101010033/);
    assert.match(first, /PNOEE-47101010033/);
    assert.match(first, /B-LT/);
    assert.match(first, /Demo SK Time-Stamping Authority 2026/);
    assert.match(first, /Demo ESTEID 2026 OCSP Responder/);
    assert.match(await sigs.nth(1).textContent(), /JÕEORG,JAAK-KRISTJAN,38001085718/);

    const files = card.locator('li.data-file');
    assert.deepEqual(await files.evaluateAll((ls) => ls.map((l) => l.dataset.fileName)), ['leping.txt', 'lisa-1.csv']);
    assert.match(await files.nth(0).textContent(), /text\/plain/);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      files.nth(0).locator('button.file-save').click(),
    ]);
    assert.equal(download.suggestedFilename(), 'leping.txt');
    const saved = fs.readFileSync(await download.path());
    const want = rep.container.data_files.find((f) => f.name === 'leping.txt');
    assert.equal(crypto.createHash('sha256').update(saved).digest('hex'), want.sha256);
    assert.equal(saved.length, want.size);
    assert.match(saved.toString('utf8'), /^Üürileping/);
    await files.nth(0).locator('.file-status').filter({ hasText: 'Checked' }).waitFor();
    // Open shows text as plain text, in a tab of its own.
    const [tab] = await Promise.all([ctx.waitForEvent('page'), files.nth(0).locator('button.file-open').click()]);
    await tab.waitForLoadState();
    assert.match(tab.url(), /^blob:/);
    assert.match(await tab.locator('body').textContent(), /Üürileping/);
    await tab.close();
    await card.screenshot({ path: screenshotPath('container-valid') });
    assert.deepEqual(page.errors, []);
  } finally {
    await ctx.close();
  }
});

test('a container whose data file changed shows the signature that fails', async () => {
  const ctx = await env.browser.newContext({ locale: 'en-GB', viewport: { width: 900, height: 1200 } });
  try {
    const page = await openPage(ctx, env.srv.url);
    const s = sampleFile('digidoc-bad-file-changed.asice');
    const got = await drop(page, s);
    assert.equal(got.state, 'invalid');
    assert.equal(got.reason, s.reason);
    const sig = page.locator('#results li.signature').first();
    assert.equal(await sig.getAttribute('data-verdict'), 'invalid');
    assert.equal(await sig.getAttribute('data-reason'), s.reason);
    assert.match(await sig.textContent(), /Signature does not hold/);
    assert.match(await page.locator('#results .data-files').textContent(), /otsus\.txt/);
    assert.match(await page.locator('#results article.result').first().textContent(), /do not rely on these files/);
    await page.locator('#results article.result').first().screenshot({ path: screenshotPath('container-changed') });
  } finally {
    await ctx.close();
  }
});

test('the container is shown in the page language', async () => {
  const ctx = await env.browser.newContext({ locale: 'et-EE' });
  try {
    const page = await openPage(ctx, env.srv.url);
    await drop(page, sampleFile('digidoc-notary-tm.bdoc'));
    const text = await page.locator('#results article.result').first().textContent();
    assert.match(text, /Kes allkirjastas/);
    assert.match(text, /Konteineris olevad failid/);
    assert.match(text, /Isikukood/);
    assert.match(text, /BDOC-TM/);
  } finally {
    await ctx.close();
  }
});

test('axe-core: no serious or critical violation on a container result', async () => {
  const ctx = await env.browser.newContext({ locale: 'en-GB', bypassCSP: true });
  try {
    const page = await openPage(ctx, env.srv.url);
    await drop(page, sampleFile('digidoc-contract-b-lt.asice'));
    await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const r = await window.axe.run(document.getElementById('results'), { resultTypes: ['violations'] });
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
    });
    assert.deepEqual(violations, []);
  } finally {
    await ctx.close();
  }
});

test('a container larger than a token is read, and its stored file saved', async () => {
  const ctx = await env.browser.newContext({ locale: 'en-GB', acceptDownloads: true });
  try {
    const page = await openPage(ctx, env.srv.url);
    // 1.5 MiB of data (over the module's 1 MiB default for tokens), in a
    // container without a signature: the module must read it to say so.
    const big = crypto.randomBytes(1536 * 1024);
    const manifestXML = '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">' +
      '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.etsi.asic-e+zip"/>' +
      '<manifest:file-entry manifest:full-path="scan.pdf" manifest:media-type="application/pdf"/></manifest:manifest>';
    const zip = zipOf([
      ['mimetype', Buffer.from('application/vnd.etsi.asic-e+zip')],
      ['scan.pdf', big],
      ['META-INF/manifest.xml', Buffer.from(manifestXML)],
    ]);
    const got = await drop(page, { file: 'unsigned.asice', bytes: zip });
    assert.equal(got.state, 'invalid');
    assert.equal(got.reason, 'no_signatures');
    const file = page.locator('#results li.data-file[data-file-name="scan.pdf"]');
    assert.match(await file.textContent(), /application\/pdf/);
    const [download] = await Promise.all([page.waitForEvent('download'), file.locator('button.file-save').click()]);
    assert.ok(fs.readFileSync(await download.path()).equals(big));
  } finally {
    await ctx.close();
  }
});
