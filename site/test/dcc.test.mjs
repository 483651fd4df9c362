// EU Digital COVID Certificate QR code pictures (dgc-testdata, copied into
// testdata/dcc with their source and licence) are read from the picture,
// and verify against their own signer certificate at their validation
// clock, loaded as the page's trust list from a file as a person would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launch, openPage, verdictOf, DATA } from './harness.mjs';

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

/** clock reads VALIDATIONCLOCK, which upstream writes in several forms. */
function clock(s) {
  const t = Date.parse(s.replace(/([+-]\d\d)(\d\d)$/, '$1:$2').replace(/(\.\d{3})\d+/, '$1'));
  assert.ok(!Number.isNaN(t), `VALIDATIONCLOCK ${s}`);
  return new Date(t);
}

let srv;
let browser;
before(async () => {
  srv = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

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
  const ctx = await browser.newContext({ locale: 'en-GB' });
  try {
    const page = await openPage(ctx, srv.url);
    const wrong = [];
    for (const c of cases) {
      // The page's clock is the vector's: the verification time is the
      // browser's time, as for a person.
      await page.clock.setFixedTime(clock(c.tc.TESTCTX.VALIDATIONCLOCK));
      const got = await check(page, c, c.tc.TESTCTX.CERTIFICATE);
      if (got.state !== 'valid') wrong.push(`${c.name}: ${got.state} ${got.reason}`);
      else if (!got.text.includes('EU Digital COVID Certificate') && !got.text.includes('Compare with the paper')) wrong.push(`${c.name}: no details`);
    }
    assert.deepEqual(wrong, []);
  } finally {
    await ctx.close();
  }
});

test('a DCC against another country’s certificate is not trusted', async () => {
  const ctx = await browser.newContext({ locale: 'en-GB' });
  try {
    const page = await openPage(ctx, srv.url);
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
