// EU Digital COVID Certificate QR code pictures (dgc-testdata, copied into
// testdata/dcc with their source and licence) are read from the picture,
// and verify against their own signer certificate at their validation
// clock, loaded as the page's trust list from a file as a person would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { openPage, verdictOf, DATA, BIN, serverAndBrowser } from './harness.mjs';

const dir = path.join(DATA, 'dcc');
const cases = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).flatMap((cc) =>
  fs.readdirSync(path.join(dir, cc.name)).filter((f) => f.endsWith('.png')).map((f) => {
    const base = path.join(dir, cc.name, f.slice(0, -4));
    const tc = JSON.parse(fs.readFileSync(base + '.json', 'utf8'));
    return { name: `${cc.name}/${f}`, png: fs.readFileSync(base + '.png'), tc };
  }));

function pem(b64) {
  return `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * clock reads VALIDATIONCLOCK, which upstream writes in several forms, to
 * whole seconds (the page passes the module whole seconds).
 */
function clock(s) {
  const t = Date.parse(s.replace(/([+-]\d\d)(\d\d)$/, '$1:$2').replace(/(\.\d{3})\d+/, '$1'));
  assert.ok(!Number.isNaN(t), `VALIDATIONCLOCK ${s}`);
  return new Date(Math.floor(t / 1000) * 1000);
}

/** native is the command line's verdict on the same QR text, certificate and time. */
function native(c, cert) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcc-'));
  fs.writeFileSync(path.join(dir, 'dsc.pem'), pem(cert));
  let out;
  try {
    out = execFileSync(BIN, ['verify', '--trust', path.join(dir, 'dsc.pem'), '--at', clock(c.tc.TESTCTX.VALIDATIONCLOCK).toISOString().replace('.000Z', 'Z'),
      '--format', 'jsonl', '-'], { input: c.tc.PREFIX, stdio: ['pipe', 'pipe', 'ignore'] });
  } catch (e) {
    out = e.stdout; // exit 1: not valid
  }
  fs.rmSync(dir, { recursive: true });
  // One output record per input (docs/record.schema.json): the report is
  // under "report".
  const r = JSON.parse(out.toString()).report;
  assert.ok(r, 'the CLI record carries a report');
  return { state: r.verdict === 'valid' ? (r.warnings.length ? 'warnings' : 'valid') : r.verdict, reason: r.reason || '' };
}

const env = serverAndBrowser();

async function check(page, c, cert) {
  await page.setInputFiles('#trust-file', { name: 'dsc.pem', mimeType: 'application/x-pem-file', buffer: Buffer.from(pem(cert)) });
  await page.locator('#trust-message[data-kind="ok"]').waitFor();
  await page.setInputFiles('#file-input', { name: path.basename(c.name), mimeType: 'image/png', buffer: c.png });
  await page.waitForFunction((n) => {
    const s = document.querySelector('#results article .source');
    return s && s.textContent.includes(n);
  }, path.basename(c.name), { timeout: 60000 });
  return verdictOf(page);
}

test(`${cases.length} DCC QR pictures verify against their certificates`, async () => {
  assert.ok(cases.length >= 25, `${cases.length} cases`);
  const ctx = await env.browser.newContext({ locale: 'en-GB' });
  try {
    const page = await openPage(ctx, env.srv.url);
    const wrong = [];
    let valid = 0;
    for (const c of cases) {
      // The page's clock is the vector's: the verification time is the
      // browser's time, as for a person.
      await page.clock.setFixedTime(clock(c.tc.TESTCTX.VALIDATIONCLOCK));
      const got = await check(page, c, c.tc.TESTCTX.CERTIFICATE);
      const card = page.locator('#results article').first();
      // What upstream expects: the signature verifies with this certificate
      // (EXPECTEDVERIFY), and the validity check passes where it says so.
      const exp = c.tc.EXPECTEDRESULTS;
      const status = async (check) => card.locator(`li[data-check="${check}"]`).getAttribute('class');
      if (exp.EXPECTEDVERIFY && !/status-passed/.test(await status('signature'))) wrong.push(`${c.name}: signature not passed`);
      if (exp.EXPECTEDEXPIRATIONCHECK === true && !/status-passed/.test(await status('validity_period'))) wrong.push(`${c.name}: validity not passed`);
      // And the page decides exactly as the command line does on the QR's text.
      const want = native(c, c.tc.TESTCTX.CERTIFICATE);
      if (got.state !== want.state || got.reason !== want.reason) wrong.push(`${c.name}: page ${got.state}/${got.reason}, CLI ${want.state}/${want.reason}`);
      if (got.state === 'valid') valid++;
    }
    assert.deepEqual(wrong, []);
    assert.ok(valid >= 25, `${valid} valid`);
  } finally {
    await ctx.close();
  }
});

test('a DCC against another country’s certificate is not trusted', async () => {
  const ctx = await env.browser.newContext({ locale: 'en-GB' });
  try {
    const page = await openPage(ctx, env.srv.url);
    const at = cases.find((c) => c.name.startsWith('AT/'));
    const other = cases.find((c) => c.name.startsWith('SE/'));
    await page.clock.setFixedTime(clock(at.tc.TESTCTX.VALIDATIONCLOCK));
    const got = await check(page, at, other.tc.TESTCTX.CERTIFICATE);
    assert.equal(got.state, 'indeterminate');
    assert.equal(got.reason, 'issuer_unknown');
  } finally {
    await ctx.close();
  }
});
