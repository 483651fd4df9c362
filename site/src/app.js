// The citizen's page: wiring between the ways in, the engine, the trust list
// and the rendered reports. Documents stay in this page's memory; the only
// requests it makes are for its own files and, when asked, a trust list.
import { startEngine, ModuleRefused } from './engine.js';
import { pickLanguage, setLanguage, translatePage, t, languages, formatDateTime, formatAge } from './i18n.js';
import { fromFile, fromText, isProof, Camera } from './inputs.js';
import { renderResult, state, h } from './render.js';
import * as trust from './trust.js';

/* global BUILD_ID */

const $ = (id) => document.getElementById(id);

const app = {
  engine: null,
  enginePromise: null,
  trustList: null, // {source, name, bytes, info}
  extras: { proof: null, payload: null },
  lastResults: [],
  seq: 0,
  samples: [],
};

function announce(text) {
  const el = $('announce');
  el.textContent = '';
  // A fresh text node after a tick makes screen readers read it again even
  // when the same verdict repeats.
  setTimeout(() => { el.textContent = text; }, 50);
}

function showStatus(el, text, kind) {
  el.textContent = text;
  el.dataset.kind = kind || '';
  el.hidden = !text;
}

// ---- engine and trust ---------------------------------------------------

async function boot() {
  showStatus($('engine-status'), t('ui.engine_loading'), 'info');
  const [engine, list] = await Promise.all([startEngine(), initialTrust()]);
  app.engine = engine;
  if (list) applyTrust(list, true);
  performance.mark('apostille-trust-ready');
  showStatus($('engine-status'), t('ui.engine_ready', { version: engine.version }), 'ok');
  $('module-version').textContent = engine.version || BUILD_ID;
  return engine;
}

async function initialTrust() {
  const c = trust.chosen();
  if (c) return c;
  try {
    const bytes = await trust.fetchList(trust.DEFAULT_URL, { own: true });
    return { source: 'default', name: trust.DEFAULT_URL, bytes };
  } catch {
    return null;
  }
}

/** applyTrust gives a list to the engine; the rollback memory is checked first. */
function applyTrust(list, quiet) {
  const info = trust.describe(list.bytes);
  const msg = $('trust-message');
  try {
    trust.checkRollback(info);
    const prev = app.trustList ? [{ name: app.trustList.name, bytes: app.trustList.bytes }] : [];
    app.engine.setTrust([{ name: list.name, bytes: list.bytes }], prev);
    trust.remember(info);
  } catch (e) {
    const text = e instanceof trust.RollbackError
      ? t('ui.trust_rollback', { got: e.got, seen: e.seen })
      : t('ui.trust_failed');
    showStatus(msg, text, 'error');
    return false;
  }
  app.trustList = { ...list, info };
  if (list.source !== 'default') trust.choose(list);
  else trust.choose(null);
  renderTrust();
  if (!quiet) showStatus(msg, t('ui.trust_loaded', { name: list.name }), 'ok');
  return true;
}

function renderTrust() {
  const box = $('trust-info');
  box.replaceChildren();
  const list = app.trustList;
  if (!list) return;
  const i = list.info;
  const dl = h('dl', null);
  const add = (k, v) => { if (v) dl.append(h('dt', null, t('ui.' + k)), h('dd', null, v)); };
  const src = list.source === 'default' ? t('ui.trust_source_default')
    : t(list.source === 'url' ? 'ui.trust_source_url' : 'ui.trust_source_file', { name: list.name });
  if (i.bundle) {
    add('trust_operator', i.operator);
    add('trust_sequence', String(i.sequence));
    if (i.issued_at) {
      const age = (Date.now() - Date.parse(i.issued_at)) / 1000;
      add('trust_issued', `${formatDateTime(i.issued_at)} — ${t('ui.trust_age', { age: formatAge(age) })}`);
    }
    add('trust_next_update', i.next_update ? formatDateTime(i.next_update) : '');
  } else {
    add('trust_in_use', t('ui.trust_kind_other', { name: list.name }));
  }
  add('trust_source', src);
  box.append(dl);
  const stale = i.next_update && Date.parse(i.next_update) < Date.now();
  if (stale) box.append(h('p', { class: 'warning-note' }, t('ui.trust_stale_note')));
  $('trust-reset').hidden = list.source === 'default';
}

async function loadTrustFrom(source, name, getBytes) {
  const msg = $('trust-message');
  showStatus(msg, '', '');
  try {
    const bytes = await getBytes();
    await app.enginePromise;
    if (applyTrust({ source, name, bytes })) rerun();
  } catch {
    showStatus(msg, t(source === 'url' ? 'ui.trust_fetch_failed' : 'ui.trust_failed'), 'error');
  }
}

// ---- verifying ----------------------------------------------------------

/** check verifies candidate documents and shows one card each. */
async function check(batch) {
  const engine = await app.enginePromise;
  const results = [];
  for (const it of batch) {
    if (isProof(it.bytes)) {
      setExtra('proof', { name: it.name || 'proof', bytes: it.bytes });
      continue;
    }
    // A sample brings its own proof or payload; anything else takes the
    // ones the person added.
    const payload = it.payload !== undefined ? it.payload : app.extras.payload && app.extras.payload.bytes;
    const proof = it.proof !== undefined ? it.proof : app.extras.proof && app.extras.proof.bytes;
    const { report, ms } = engine.verify(it.bytes, { at: new Date(), payload, proof });
    results.push({ report, ms, source: it.source, bytes: it.bytes, payload, proof, id: ++app.seq });
  }
  if (results.length) show(results);
}

function show(results) {
  app.lastResults = results;
  const box = $('results');
  const name = app.trustList ? (app.trustList.info.operator || app.trustList.name) : '';
  box.replaceChildren(...results.map((r) => renderResult({ ...r, trustName: name })));
  $('no-results').hidden = true;
  const first = results[0];
  const st = state(first.report);
  announce(t('ui.announce', {
    source: t('ui.' + first.source[0], first.source[1]),
    verdict: t(`verdict.${st}.title`),
    summary: t(`verdict.${st}.summary`),
  }));
  if (!performance.getEntriesByName('apostille-first-verdict').length) performance.mark('apostille-first-verdict');
  const head = box.querySelector('h2');
  if (head && document.activeElement !== $('paste')) head.focus({ preventScroll: false });
}

/** rerun shows the current results again (a new language or trust list). */
function rerun() {
  if (!app.lastResults.length || !app.engine) return;
  const again = app.lastResults.map((r) => {
    const { report, ms } = app.engine.verify(r.bytes, { at: new Date(), payload: r.payload, proof: r.proof });
    return { ...r, report, ms };
  });
  show(again);
}

function problem(key, name) {
  const box = $('results');
  box.replaceChildren(h('p', { class: 'problem', role: 'alert' }, t('ui.' + key, { name })));
  $('no-results').hidden = true;
}

async function readFiles(files) {
  // Proofs first: a document dropped together with its .tlog-proof is
  // checked with it, whatever the order of the files.
  const read = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
  const docs = [];
  for (const f of read) {
    if (f.name.endsWith('.tlog-proof') || isProof(f.bytes)) setExtra('proof', f);
    else docs.push(f);
  }
  const batch = [];
  for (const f of docs) {
    const { items, problem: p } = await fromFile(f.name, f.bytes);
    if (!items.length && docs.length === 1) {
      problem(p || 'nothing_found', f.name);
      return;
    }
    batch.push(...items);
  }
  if (batch.length) await check(batch);
}

function setExtra(kind, file) {
  app.extras[kind] = file;
  const el = $(`${kind}-status`);
  el.replaceChildren();
  if (file) {
    el.append(t('ui.extras_loaded', { name: file.name }), ' ',
      h('button', { type: 'button', class: 'link', onclick: () => setExtra(kind, null) }, t('ui.clear_extras')));
  }
}

// ---- samples ------------------------------------------------------------

async function loadSamples() {
  const list = $('sample-list');
  try {
    const res = await fetch('demo/manifest.json');
    const man = await res.json();
    app.samples = man.samples || [];
  } catch {
    list.replaceChildren(h('li', null, t('ui.samples_unavailable')));
    return;
  }
  renderSamples();
}

// Samples are grouped by format, in the order the demo world lists them.
function sampleGroup(format) {
  const f = String(format || '');
  if (f.startsWith('jws')) return 'jws';
  return ['cwt', 'dcc', 'mdoc', 'sd-jwt', 'attested'].includes(f) ? f : 'other';
}

function renderSamples() {
  const box = $('sample-list');
  const groups = new Map();
  for (const s of app.samples) {
    const g = sampleGroup(s.format);
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g).push(s);
  }
  box.replaceChildren(...[...groups].map(([g, list]) => h('li', { class: 'sample-group' },
    h('h3', null, t('ui.samples_group_' + g.replace('-', '_'))),
    h('ul', { class: 'samples' }, list.map((s) => {
      const expected = s.verdict === 'valid' ? ((s.warnings || []).length ? 'warnings' : 'valid')
        : s.verdict === 'invalid' ? 'invalid' : 'indeterminate';
      return h('li', null, h('button', {
        type: 'button',
        class: 'sample',
        'data-file': s.file,
        onclick: () => runSample(s),
        disabled: app.failed,
      },
      h('span', { class: 'sample-title' }, s.title),
      s.description ? h('span', { class: 'sample-desc' }, s.description) : null,
      h('span', { class: `sample-expect expect-${expected}` }, t('ui.samples_expected', { verdict: t(`verdict.${expected}.title`) }))));
    })))));
}

async function runSample(s) {
  performance.mark('apostille-sample-start');
  // The document and its proof or payload are fetched together, while the
  // module may still be starting.
  const get = async (f) => (f ? new Uint8Array(await (await fetch('demo/' + f)).arrayBuffer()) : null);
  const [bytes, payload, proof] = await Promise.all([get(s.file), get(s.payload), get(s.proof)]);
  performance.mark('apostille-sample-fetched');
  await check([{ source: ['from_sample', { name: s.title }], bytes, payload, proof }]);
}

// ---- offline ------------------------------------------------------------

function offlineStatus() {
  const el = $('offline-status');
  if (!('serviceWorker' in navigator)) {
    showStatus(el, t('ui.offline_unsupported'), 'info');
    return;
  }
  if (!navigator.onLine) showStatus(el, t('ui.offline_now'), 'ok');
  else if (app.offlineReady) showStatus(el, t('ui.offline_ready'), 'ok');
  else showStatus(el, t('ui.offline_preparing'), 'info');
}

function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return offlineStatus();
  navigator.serviceWorker.register('sw.js', { scope: './' }).catch(() => {});
  navigator.serviceWorker.ready.then(() => {
    app.offlineReady = true;
    document.documentElement.dataset.offlineReady = 'true';
    offlineStatus();
  });
  window.addEventListener('online', offlineStatus);
  window.addEventListener('offline', offlineStatus);
  offlineStatus();
}

// ---- wiring -------------------------------------------------------------

function wire() {
  const select = $('language');
  select.replaceChildren(...Object.values(languages).map((l) => h('option', { value: l.lang }, l.name)));
  select.value = document.documentElement.lang;
  select.addEventListener('change', () => {
    setLanguage(select.value, true);
    translatePage();
    renderSamples();
    renderTrust();
    offlineStatus();
    if (app.engine) showStatus($('engine-status'), t('ui.engine_ready', { version: app.engine.version }), 'ok');
    if (app.lastResults.length) show(app.lastResults);
    for (const k of ['proof', 'payload']) setExtra(k, app.extras[k]);
  });

  $('choose-files').addEventListener('click', () => $('file-input').click());
  $('file-input').addEventListener('change', (e) => {
    const files = [...e.target.files];
    e.target.value = '';
    readFiles(files);
  });
  const drop = $('drop-zone');
  for (const ev of ['dragenter', 'dragover']) {
    drop.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.add('dragging'); });
  }
  for (const ev of ['dragleave', 'drop']) drop.addEventListener(ev, () => drop.classList.remove('dragging'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    readFiles([...e.dataTransfer.files]);
  });
  // Dropping anywhere must not navigate away to the file.
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => e.preventDefault());

  $('paste-go').addEventListener('click', () => {
    const items = fromText($('paste').value);
    if (items.length) check(items);
  });
  // A picture pasted anywhere on the page is read for a QR code.
  document.addEventListener('paste', (e) => {
    const files = [...(e.clipboardData ? e.clipboardData.files : [])];
    if (files.length) {
      e.preventDefault();
      readFiles(files);
    }
  });

  for (const k of ['proof', 'payload']) {
    $(`${k}-input`).addEventListener('change', async (e) => {
      const f = e.target.files[0];
      e.target.value = '';
      if (f) setExtra(k, { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
    });
  }

  const cam = new Camera($('camera-video'));
  const camStart = $('camera-start');
  const camStop = $('camera-stop');
  const camBox = $('camera-box');
  if (!Camera.available()) camStart.hidden = true;
  camStart.addEventListener('click', async () => {
    camBox.hidden = false;
    camStart.hidden = true;
    camStop.focus();
    try {
      await cam.start((item) => {
        camBox.hidden = true;
        camStart.hidden = false;
        check([item]);
      });
    } catch {
      cam.stop();
      camBox.hidden = true;
      camStart.hidden = false;
      problem('camera_unavailable');
    }
  });
  camStop.addEventListener('click', () => {
    cam.stop();
    camBox.hidden = true;
    camStart.hidden = false;
    camStart.focus();
  });

  $('trust-file').addEventListener('change', (e) => {
    const f = e.target.files[0];
    e.target.value = '';
    if (f) loadTrustFrom('file', f.name, async () => new Uint8Array(await f.arrayBuffer()));
  });
  $('trust-url-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const url = $('trust-url').value.trim();
    if (url) loadTrustFrom('url', url, () => trust.fetchList(url));
  });
  $('trust-reset').addEventListener('click', () => {
    loadTrustFrom('default', trust.DEFAULT_URL, () => trust.fetchList(trust.DEFAULT_URL, { own: true }));
  });
}

async function main() {
  setLanguage(pickLanguage(), false);
  translatePage();
  wire();
  app.enginePromise = boot();
  app.enginePromise.catch((e) => {
    console.warn('engine', e && e.name, e && e.message);
    const refused = e instanceof ModuleRefused;
    app.failed = true;
    showStatus($('engine-status'), t(refused ? 'ui.engine_refused' : 'ui.engine_failed'), 'error');
    $('engine-status').setAttribute('role', 'alert');
    document.documentElement.dataset.engine = refused ? 'refused' : 'failed';
    for (const el of document.querySelectorAll('#intake input, #intake button, #intake textarea, .sample')) el.disabled = true;
  });
  const samples = loadSamples();
  // #sample=FILE checks a demo document as soon as the page is ready: a
  // link to a sample (the address holds a file name, never document data).
  const m = /^#sample=(.+)$/.exec(location.hash);
  let first = null;
  if (m) {
    await samples;
    const s = app.samples.find((x) => x.file === decodeURIComponent(m[1]));
    if (s) first = runSample(s);
  }
  await app.enginePromise.then(() => { document.documentElement.dataset.engine = 'ready'; }, () => {});
  // The service worker's first install downloads the whole site again for
  // offline use: not before the first verdict, which it would slow down.
  await Promise.resolve(first).catch(() => {});
  registerServiceWorker();
}

main();
