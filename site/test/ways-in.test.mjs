// Every way into the page gives the module's verdict for a valid and for a
// tampered document, with the reason in words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, openPage, verdictOf, serverAndBrowser } from './harness.mjs';
import { valid, tampered, sample, demoDir, qrPNG, pdfWithQR, pdfWithAttachment, cameraY4M, tmpdir } from './fixtures.mjs';

const en = JSON.parse(fs.readFileSync(new URL('../src/i18n/en.json', import.meta.url), 'utf8'));
const env = serverAndBrowser();
const dir = tmpdir();

const cases = () => [
  ['valid', valid(), 'valid', ''],
  ['tampered', tampered(), 'invalid', 'signature_invalid'],
];

function expectVerdict(got, state, reason) {
  assert.equal(got.state, state, got.text.slice(0, 300));
  assert.equal(got.reason, reason);
  assert.ok(got.title === en.verdict[state].title, `title ${got.title}`);
  if (reason) {
    assert.ok(got.text.includes(en.reasons[reason].explain), 'the reason is explained');
    assert.ok(got.text.includes(en.reasons[reason].action), 'the reader is told what to do');
  }
}

async function withPage(fn) {
  const ctx = await env.browser.newContext({ locale: 'en-GB' });
  try {
    const page = await openPage(ctx, env.srv.url);
    await fn(page);
    assert.deepEqual(page.errors, [], 'no errors in the page');
  } finally {
    await ctx.close();
  }
}

async function pick(page, name, bytes) {
  await page.setInputFiles('#file-input', { name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
}

for (const [label, doc, state, reason] of cases()) {
  test(`file picker: ${label}`, () => withPage(async (page) => {
    await pick(page, path.basename(doc.file), doc.bytes);
    expectVerdict(await verdictOf(page), state, reason);
  }));

  test(`drag and drop: ${label}`, () => withPage(async (page) => {
    const dt = await page.evaluateHandle(({ b64, name }) => {
      const d = new DataTransfer();
      d.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name));
      return d;
    }, { b64: doc.bytes.toString('base64'), name: path.basename(doc.file) });
    await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer: dt });
    expectVerdict(await verdictOf(page), state, reason);
  }));

  test(`paste: ${label}`, () => withPage(async (page) => {
    await page.fill('#paste', '\n  ' + doc.bytes.toString('utf8') + '  \n');
    await page.click('#paste-go');
    expectVerdict(await verdictOf(page), state, reason);
  }));

  test(`QR code picture: ${label}`, () => withPage(async (page) => {
    await pick(page, 'photo.png', await qrPNG(doc.bytes));
    const got = await verdictOf(page);
    expectVerdict(got, state, reason);
    assert.ok(got.text.includes('QR code in photo.png'));
  }));

  test(`PDF with a QR code: ${label}`, () => withPage(async (page) => {
    await pick(page, 'letter.pdf', await pdfWithQR(doc.bytes));
    const got = await verdictOf(page);
    expectVerdict(got, state, reason);
    assert.ok(got.text.includes('QR code on page 1 of letter.pdf'));
  }));

  test(`PDF with an attached document: ${label}`, () => withPage(async (page) => {
    await pick(page, 'bundle.pdf', await pdfWithAttachment(doc.bytes, 'document.jwt'));
    const got = await verdictOf(page);
    expectVerdict(got, state, reason);
    assert.ok(got.text.includes('File document.jwt attached to bundle.pdf'));
  }));

  test(`sample button: ${label}`, () => withPage(async (page) => {
    await page.click(`button.sample[data-file="${doc.file}"]`);
    expectVerdict(await verdictOf(page), state, reason);
  }));

  test(`camera: ${label}`, async () => {
    const video = cameraY4M(doc.bytes, path.join(dir, `${label}.y4m`));
    const cam = await launch([
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ]);
    try {
      const ctx = await cam.newContext({ locale: 'en-GB', permissions: ['camera'] });
      const page = await openPage(ctx, env.srv.url);
      await page.click('#camera-start');
      const got = await verdictOf(page);
      expectVerdict(got, state, reason);
      assert.ok(got.text.includes('QR code from the camera'));
      assert.ok(await page.locator('#camera-box').isHidden(), 'the camera stops after a code is read');
      assert.deepEqual(page.errors, []);
    } finally {
      await cam.close();
    }
  });
}

test('several files at once get one result each', () => withPage(async (page) => {
  const a = valid();
  const b = tampered();
  await page.setInputFiles('#file-input', [
    { name: 'a.jwt', mimeType: 'application/octet-stream', buffer: a.bytes },
    { name: 'b.jwt', mimeType: 'application/octet-stream', buffer: b.bytes },
  ]);
  await page.locator('#results article.result').nth(1).waitFor();
  const states = await page.locator('#results article.result').evaluateAll((els) => els.map((e) => e.dataset.state));
  assert.deepEqual(states, ['valid', 'invalid']);
}));

test('a picture without a QR code is said so', () => withPage(async (page) => {
  const blank = await qrPNG(Buffer.from('x'));
  // Cover the code: a white PNG of the same size says nothing.
  await pick(page, 'blank.png', Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==', 'base64'));
  await page.locator('#results .problem').waitFor();
  assert.match(await page.locator('#results .problem').textContent(), /No QR code could be read in blank\.png/);
  assert.ok(blank.length > 0);
}));

test('garbage gets the module’s verdict, not a crash', () => withPage(async (page) => {
  await page.fill('#paste', 'eyJhbGciOi.not-a-token');
  await page.click('#paste-go');
  const got = await verdictOf(page);
  assert.equal(got.state, 'invalid');
  assert.equal(got.reason, 'malformed');
  assert.ok(got.text.includes(en.reasons.malformed.explain));
}));

test('a document with its embassy proof: added beside it, or dropped with it', () => withPage(async (page) => {
  const doc = sample('valid', '', 'jws', false);
  assert.ok(doc.proof, 'the demo sample comes with a proof');
  const proof = fs.readFileSync(path.join(demoDir, doc.proof));
  const file = { name: path.basename(doc.file), mimeType: 'application/octet-stream', buffer: doc.bytes };
  // Alone, the register's policy wants a proof: could not verify.
  await pick(page, file.name, doc.bytes);
  let got = await verdictOf(page);
  assert.equal(got.state, 'indeterminate');
  assert.equal(got.reason, 'attestation_missing');
  // With the proof added under "Add an embassy proof", the same file is valid
  // and the embassies are named.
  await page.locator('details.extras summary').click();
  await page.setInputFiles('#proof-input', { name: 'doc.tlog-proof', mimeType: 'text/plain', buffer: proof });
  await page.locator('#proof-status button').waitFor();
  await pick(page, file.name, doc.bytes);
  await page.locator('#results article[data-state="valid"]').waitFor();
  got = await verdictOf(page);
  assert.match(got.text, /recorded since/);
  await page.click('#proof-status button'); // remove it again
  // Dropped together, proof last: the proof is still used.
  await page.setInputFiles('#file-input', [file, { name: 'doc.jwt.tlog-proof', mimeType: 'text/plain', buffer: proof }]);
  await page.locator('#results article[data-state="valid"]').waitFor();
  assert.equal(await page.locator('#results article').count(), 1, 'the proof is not a document');
}));
