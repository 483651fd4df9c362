// A screenshot of each verdict state, in build/screenshots, for a person to
// look at. Each state comes from a demo document that the module decides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, verdictOf, screenshotPath, serverAndBrowser } from './harness.mjs';
import { manifest } from './fixtures.mjs';

const env = serverAndBrowser();

test('a screenshot of each verdict state', async () => {
  const ctx = await env.browser.newContext({ locale: 'en-GB', viewport: { width: 900, height: 1000 } });
  const seen = new Map();
  try {
    const page = await openPage(ctx, env.srv.url);
    // Try the samples until every state has been shown once.
    for (const s of manifest().samples) {
      await page.click(`button.sample[data-file="${s.file}"]`);
      await page.waitForFunction((f) => {
        const src = document.querySelector('#results article .source');
        return src && src.textContent.includes(f);
      }, s.title);
      const got = await verdictOf(page);
      if (seen.has(got.state)) continue;
      seen.set(got.state, s.file);
      await page.locator('#results article').first().screenshot({ path: screenshotPath(`verdict-${got.state}`) });
      if (got.state === 'valid') await page.screenshot({ path: screenshotPath('page-valid'), fullPage: true });
    }
    assert.deepEqual([...seen.keys()].sort(), ['indeterminate', 'invalid', 'valid', 'warnings'],
      `states shown by the demo samples: ${JSON.stringify([...seen])}`);
  } finally {
    await ctx.close();
  }
});

test('a screenshot on a phone, in Estonian', async () => {
  const ctx = await env.browser.newContext({ locale: 'et-EE', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  try {
    const page = await openPage(ctx, env.srv.url);
    await page.locator('button.sample').nth(1).click();
    await verdictOf(page);
    await page.screenshot({ path: screenshotPath('phone-et'), fullPage: true });
  } finally {
    await ctx.close();
  }
});
