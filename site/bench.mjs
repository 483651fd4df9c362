// Benchmark of the page (make bench-site): from navigation to the first
// verdict on a demo document, cold (new profile: nothing cached) and warm
// (service worker and HTTP cache filled); the module's size as transferred;
// the per-document time the page measures. Results go to docs/PERFORMANCE.md.
import { startServer, launch, buildInfo, SITE } from './test/harness.mjs';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';

const RUNS = Number(process.env.RUNS || 7);
const man = JSON.parse(fs.readFileSync(path.join(SITE, 'demo/manifest.json'), 'utf8'));
const sample = man.samples.find((s) => s.verdict === 'valid');

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const fmt = (a) => `median ${median(a).toFixed(0)} ms (min ${Math.min(...a).toFixed(0)}, max ${Math.max(...a).toFixed(0)})`;

async function firstVerdict(page, url) {
  await page.goto(`${url}#sample=${encodeURIComponent(sample.file)}`);
  await page.waitForFunction(() => performance.getEntriesByName('apostille-first-verdict').length > 0, null, { timeout: 60000 });
  return page.evaluate(() => {
    const at = (n) => { const e = performance.getEntriesByName(n)[0]; return e ? e.startTime : NaN; };
    const wasm = performance.getEntriesByType('resource').find((r) => r.name.endsWith('.wasm'));
    return {
      verdict: at('apostille-first-verdict'),
      compiled: at('apostille-module-compiled'),
      ready: at('apostille-module-ready'),
      transfer: wasm ? wasm.transferSize : 0,
      encoded: wasm ? wasm.encodedBodySize : 0,
    };
  });
}

const srv = await startServer();
const browser = await launch();
const cold = [];
const warm = [];
let transfer = 0;
try {
  for (let i = 0; i < RUNS; i++) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const c = await firstVerdict(page, srv.url);
    cold.push(c);
    transfer = c.encoded;
    await page.waitForFunction(() => document.documentElement.dataset.offlineReady === 'true', null, { timeout: 60000 });
    const w = await firstVerdict(page, srv.url + '?warm');
    warm.push(w);
    await ctx.close();
  }
  // Per-document time inside the page, over repeated checks.
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await firstVerdict(page, srv.url);
  const per = {};
  for (const s of man.samples) {
    const ms = [];
    let state = '';
    for (let i = 0; i < 15; i++) {
      await page.evaluate(() => document.getElementById('results').replaceChildren());
      await page.click(`button.sample[data-file="${s.file}"]`);
      await page.locator('#results [data-ms]').first().waitFor();
      ms.push(Number(await page.locator('#results [data-ms]').first().getAttribute('data-ms')));
      state = await page.locator('#results article').first().getAttribute('data-state');
    }
    // The first checks of a kind warm the module up; the rest are steady.
    per[s.file] = { ms: ms.slice(3), state };
  }
  await ctx.close();

  const info = buildInfo();
  const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0].model}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; Chromium headless; ${RUNS} runs`);
  console.log(`module ${info.wasm.file}: raw ${kb(info.wasm.raw)}, gzip ${kb(info.wasm.gzip)}, brotli ${kb(info.wasm.brotli)}; transferred to Chromium: ${kb(transfer)}`);
  console.log(`cold (new profile) navigation → first verdict: ${fmt(cold.map((r) => r.verdict))}`);
  console.log(`   of which module fetched+compiled at: ${fmt(cold.map((r) => r.compiled))}; instantiated at: ${fmt(cold.map((r) => r.ready))}`);
  console.log(`warm (service worker) navigation → first verdict: ${fmt(warm.map((r) => r.verdict))}`);
  console.log(`   of which module fetched+compiled at: ${fmt(warm.map((r) => r.compiled))}; instantiated at: ${fmt(warm.map((r) => r.ready))}`);
  console.log('| document | verdict | median per document in the page |');
  console.log('|---|---|---|');
  for (const [f, r] of Object.entries(per)) console.log(`| ${f.replace('documents/', '')} | ${r.state} | ${median(r.ms).toFixed(1)} ms |`);
} finally {
  await browser.close();
  await srv.stop();
}
