// The citizen's page: wiring between the ways in, the engine, the trust list
// and the rendered reports. Documents stay in this page's memory; the only
// requests it makes are for its own files, a trust list when asked, and the
// status list a verified document names (its address only: status.js).
import { startEngine, ModuleRefused, TrustError } from './engine.js';
import { pickLanguage, setLanguage, translatePage, t, languages, formatDateTime, formatAge } from './i18n.js';
import { fromFile, fromText, isProof, Camera } from './inputs.js';
import { renderResult, state, h } from './render.js';
import * as trust from './trust.js';
import { StatusLists, statusListURI, needsList, revocationCheck } from './status.js';

/* global BUILD_ID */

const $ = (id) => document.getElementById(id);

const app = {
  engine: null,
  enginePromise: null,
  trustList: null, // {source, name, bytes, kind}
  lists: new StatusLists(),
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
  // A chosen list the page no longer accepts (an older page kept unsigned
  // ones) gives way to the built-in one.
  if (list && !(await applyTrust(list, true)) && list.source !== 'default') {
    const def = await defaultTrust();
    if (def) await applyTrust(def, true);
  }
  performance.mark('apostille-trust-ready');
  showStatus($('engine-status'), t('ui.engine_ready', { version: engine.version }), 'ok');
  $('module-version').textContent = engine.version || BUILD_ID;
  return engine;
}

async function initialTrust() {
  return trust.chosen() || defaultTrust();
}

async function defaultTrust() {
  try {
    const bytes = await trust.fetchList(trust.DEFAULT_URL, { own: true });
    return { source: 'default', name: trust.DEFAULT_URL, bytes };
  } catch {
    return null;
  }
}

/**
 * applyTrust gives a list to the engine. A signed bundle must verify with a
 * pinned operator key (the module's decision) and be no older than, nor
 * different from, the edition accepted last from its operator (the page's
 * memory); an unsigned bundle is refused. Whatever is refused, the list in
 * use stays.
 */
async function applyTrust(list, quiet) {
  const msg = $('trust-message');
  const kind = trust.kind(list.bytes);
  if (kind === 'bundle') {
    showStatus(msg, t('ui.trust_unsigned_refused'), 'error');
    return false;
  }
  const sha256 = kind === 'signed' ? await trust.digest(list.bytes) : '';
  const prev = app.trustList ? [{ name: app.trustList.name, bytes: app.trustList.bytes }] : [];
  try {
    const info = app.engine.setTrust([{ name: list.name, bytes: list.bytes }], prev, (i) => trust.checkEdition(i, sha256));
    trust.acceptEdition(info, sha256);
  } catch (e) {
    let text = t('ui.trust_failed');
    if (e instanceof trust.RollbackError) {
      text = e.same ? t('ui.trust_equivocation', { seen: e.seen }) : t('ui.trust_rollback', { got: e.got, seen: e.seen });
    } else if (e instanceof TrustError && e.reason === 'trust_invalid') {
      text = t('ui.trust_signature_refused');
    }
    showStatus(msg, text, 'error');
    return false;
  }
  app.trustList = { ...list, kind };
  if (list.source !== 'default') trust.choose(list);
  else trust.choose(null);
  renderTrust();
  if (!quiet) showStatus(msg, t('ui.trust_loaded', { name: list.name }), 'ok');
  return true;
}

/** renderTrust shows the list in use as the module describes it (report.trust), now. */
function renderTrust() {
  const box = $('trust-info');
  box.replaceChildren();
  const list = app.trustList;
  if (!list || !app.engine) return;
  const i = app.engine.trustInfo();
  const dl = h('dl', null);
  const add = (k, v) => { if (v) dl.append(h('dt', null, t('ui.' + k)), h('dd', null, v)); };
  const src = list.source === 'default' ? t('ui.trust_source_default')
    : t(list.source === 'url' ? 'ui.trust_source_url' : 'ui.trust_source_file', { name: list.name });
  if (i.signed) {
    add('trust_operator', i.operator);
    add('trust_sequence', String(i.sequence));
    if (i.issued_at) {
      const age = Math.max(0, (Date.now() - Date.parse(i.issued_at)) / 1000);
      add('trust_issued', `${formatDateTime(i.issued_at)} — ${t('ui.trust_age', { age: formatAge(age) })}`);
    }
    add('trust_next_update', i.next_update ? formatDateTime(i.next_update) : '');
    add('trust_signature', t('ui.trust_signature_ok', { kid: shortKid(i.operator_key) }));
  } else {
    add('trust_in_use', t('ui.trust_kind_other', { name: list.name }));
  }
  add('trust_source', src);
  box.append(dl);
  // The trust services the accepted list names (a qualified CA, an OCSP
  // responder, a time-stamping authority), with their status now.
  const svcs = trust.services(list.bytes);
  box.dataset.services = String(svcs.length);
  if (svcs.length) {
    const ul = h('ul', { class: 'trust-services' });
    for (const s of svcs) {
      const status = s.status === 'granted' || s.status === 'withdrawn' ? t('ui.trust_service_' + s.status) : s.status;
      ul.append(h('li', { 'data-type': s.type, 'data-status': s.status },
        `${s.country} · ${s.provider}: ${s.name} — ${s.type} — ${status}`));
    }
    box.append(h('details', null, h('summary', null, t('ui.trust_services', { count: String(svcs.length) })), ul));
  }
  box.dataset.operator = i.operator || '';
  box.dataset.sequence = String(i.sequence || 0);
  box.dataset.stale = String(!!i.stale);
  if (i.stale) box.append(h('p', { class: 'warning-note' }, t('ui.trust_stale_note')));
  $('trust-reset').hidden = list.source === 'default';
}

// A key id is a 43-character thumbprint: its start is enough to compare.
function shortKid(kid) {
  return kid && kid.length > 12 ? kid.slice(0, 8) + '…' : kid || '—';
}

async function loadTrustFrom(source, name, getBytes) {
  const msg = $('trust-message');
  showStatus(msg, '', '');
  try {
    const bytes = await getBytes();
    await app.enginePromise;
    if (await applyTrust({ source, name, bytes })) await rerun();
  } catch {
    showStatus(msg, t(source === 'url' ? 'ui.trust_fetch_failed' : 'ui.trust_failed'), 'error');
  }
}

// ---- verifying ----------------------------------------------------------

/**
 * verifyOne verifies a document; when the module could not learn its
 * status for want of the status list the document names, the page fetches
 * that list (status.js) and verifies again with it. status says what
 * happened to the list, for the card.
 */
async function verifyOne(engine, bytes, { payload, proof }) {
  const at = new Date();
  let { report, ms } = engine.verify(bytes, { at, payload, proof });
  const uri = statusListURI(report);
  const rev = revocationCheck(report);
  if (!uri || !rev) return { report, ms, status: null };
  if (!needsList(report)) {
    // Decided with a list the trust bundle ships; other outcomes (a
    // malformed claim, limit_exceeded) owe nothing to a list.
    const decided = rev.status === 'passed' || rev.reason === 'revoked';
    return { report, ms, status: decided ? { uri, source: 'bundle' } : null };
  }
  let status = { uri, source: 'failed' };
  try {
    let got = await app.lists.get(uri);
    ({ report, ms } = engine.verify(bytes, { at, payload, proof, statusLists: [got.token] }));
    // A list kept in memory that the module no longer takes (past its exp)
    // is fetched once more.
    if (needsList(report) && !got.fetched) {
      got = await app.lists.get(uri, { refresh: true });
      ({ report, ms } = engine.verify(bytes, { at, payload, proof, statusLists: [got.token] }));
    }
    status = { uri, source: 'fetched', fetchedAt: got.fetchedAt };
  } catch { /* offline or refused: the module's status_unknown stands */ }
  return { report, ms, status };
}

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
    const { report, ms, status } = await verifyOne(engine, it.bytes, { payload, proof });
    results.push({ report, ms, status, source: it.source, bytes: it.bytes, payload, proof, id: ++app.seq });
  }
  if (results.length) show(results);
}

function show(results) {
  app.lastResults = results;
  const box = $('results');
  const name = app.trustList ? app.trustList.name : '';
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

/** rerun verifies the current results again (a new trust list). */
async function rerun() {
  if (!app.lastResults.length || !app.engine) return;
  const again = [];
  for (const r of app.lastResults) again.push({ ...r, ...(await verifyOne(app.engine, r.bytes, r)) });
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
  if (f === 'asice' || f === 'bdoc' || f === 'asics') return 'digidoc';
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
