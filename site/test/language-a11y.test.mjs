// The page speaks the browser's language and can be switched; it is usable
// by keyboard and screen reader, and axe-core finds no serious violation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { openPage, verdictOf, serverAndBrowser } from './harness.mjs';
import { valid, tampered, sample } from './fixtures.mjs';

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const dict = (l) => JSON.parse(fs.readFileSync(new URL(`../src/i18n/${l}.json`, import.meta.url), 'utf8'));

const env = serverAndBrowser();

test('the language follows the browser and can be switched', async () => {
  const ctx = await env.browser.newContext({ locale: 'de-DE' });
  try {
    const page = await openPage(ctx, env.srv.url);
    const de = dict('de');
    assert.equal(await page.getAttribute('html', 'lang'), 'de');
    assert.equal(await page.locator('#intake-h').textContent(), de.ui.intake_heading);
    const doc = tampered();
    await page.click(`button.sample[data-file="${doc.file}"]`);
    let got = await verdictOf(page);
    assert.equal(got.title, de.verdict.invalid.title);
    assert.ok(got.text.includes(de.reasons.signature_invalid.explain));
    assert.ok(got.text.includes(de.checks.signature));

    // Switch to Estonian: the page and the result shown are redrawn.
    await page.selectOption('#language', 'et');
    const et = dict('et');
    assert.equal(await page.getAttribute('html', 'lang'), 'et');
    assert.equal(await page.locator('#intake-h').textContent(), et.ui.intake_heading);
    got = await verdictOf(page);
    assert.equal(got.title, et.verdict.invalid.title);
    assert.ok(got.text.includes(et.reasons.signature_invalid.explain));
    assert.ok(got.text.includes(et.reasons.signature_invalid.action));

    // The choice is remembered over the browser's language.
    await page.reload();
    await page.waitForFunction(() => document.documentElement.dataset.engine === 'ready');
    assert.equal(await page.getAttribute('html', 'lang'), 'et');
    await page.selectOption('#language', 'fr');
    const fr = dict('fr');
    const v = valid();
    await page.click(`button.sample[data-file="${v.file}"]`);
    got = await verdictOf(page);
    assert.equal(got.title, fr.verdict.valid.title);
    assert.ok(got.text.includes(fr.ui.compare_heading));
  } finally {
    await ctx.close();
  }
});

test('an unknown browser language falls back to English', async () => {
  const ctx = await env.browser.newContext({ locale: 'ja-JP' });
  try {
    const page = await openPage(ctx, env.srv.url);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
  } finally {
    await ctx.close();
  }
});

test('keyboard only: reach a sample, check it, land on the verdict, which is announced', async () => {
  const ctx = await env.browser.newContext({ locale: 'en-GB' });
  try {
    const page = await openPage(ctx, env.srv.url);
    const doc = tampered();
    const target = `button.sample[data-file="${doc.file}"]`;
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate((sel) => document.activeElement === document.querySelector(sel), target);
    }
    assert.ok(reached, 'the sample button is reachable with Tab');
    // Focus is visible: an outline is drawn around the focused control.
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none');
    await page.keyboard.press('Enter');
    const got = await verdictOf(page);
    assert.equal(got.state, 'invalid');
    assert.equal(await page.evaluate(() => document.activeElement.tagName + '#' + document.activeElement.dataset.verdict), 'H2#invalid');
    await page.waitForFunction(() => document.getElementById('announce').textContent.length > 0);
    const said = await page.locator('#announce').textContent();
    assert.match(said, /Invalid/);
    assert.equal(await page.getAttribute('#announce', 'aria-live'), 'polite');
    // Every control has a name a screen reader can say.
    const unnamed = await page.evaluate(() => [...document.querySelectorAll('button, input:not([hidden]), select, textarea')]
      .filter((el) => !el.hidden && !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.textContent.trim())
      .map((el) => el.id || el.outerHTML.slice(0, 60)));
    assert.deepEqual(unnamed, []);
  } finally {
    await ctx.close();
  }
});

async function axe(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
  });
}

test('axe-core: no serious or critical violation, before and after each verdict', async () => {
  // axe is injected by the test; bypassCSP lets it in without weakening the page's policy.
  const ctx = await env.browser.newContext({ locale: 'en-GB', bypassCSP: true });
  try {
    const page = await openPage(ctx, env.srv.url);
    const found = [];
    const scan = async (when) => {
      for (const v of await axe(page)) {
        if (v.impact === 'serious' || v.impact === 'critical') found.push({ when, ...v });
      }
    };
    await scan('start');
    for (const s of [valid(), tampered(), sample('indeterminate', 'issuer_unknown')]) {
      await page.click(`button.sample[data-file="${s.file}"]`);
      await page.locator(`#results article[data-state]`).first().waitFor();
      await page.locator('details.technical summary').first().click();
      await page.locator('details.extras summary').click();
      await scan(s.file);
      await page.locator('details.extras summary').click();
    }
    assert.deepEqual(found, []);
  } finally {
    await ctx.close();
  }
});
