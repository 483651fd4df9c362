// A report (verifier/report.go) as a person reads it: the verdict first, in
// words, icon and colour together; then what to compare with the paper, who
// issued it, the dates, the embassies, each check as a sentence; technical
// details folded away.
import { t, reasonText, checkText, formatDate, formatDateTime, countryName, formatAge } from './i18n.js';
import { containerParts } from './container.js';

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false || c === '') continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
// One shape per state, so that the verdict never rests on colour alone.
const ICONS = {
  valid: 'M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z',
  warnings: 'M1 21h22L12 2 1 21zm12-3h-2v-2h2v2zm0-4h-2v-4h2v4z',
  invalid: 'M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12z',
  indeterminate:
    'M11 18h2v-2h-2v2zm1-16C6.5 2 2 6.5 2 12s4.5 10 10 10 10-4.5 10-10S17.5 2 12 2zm0 18c-4.4 0-8-3.6-8-8s3.6-8 8-8 8 3.6 8 8-3.6 8-8 8zm0-14c-2.2 0-4 1.8-4 4h2c0-1.1.9-2 2-2s2 .9 2 2c0 2-3 1.8-3 5h2c0-2.3 3-2.5 3-5 0-2.2-1.8-4-4-4z',
};
const STATUS_ICON = { passed: 'valid', failed: 'invalid', indeterminate: 'indeterminate', skipped: null };

export function icon(kind, cls) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', cls || 'icon');
  const p = document.createElementNS(SVG, 'path');
  p.setAttribute('d', ICONS[kind] || 'M5 11h14v2H5z');
  svg.append(p);
  return svg;
}

/** state maps a report to one of the four states the page shows. */
export function state(report) {
  if (report.verdict === 'valid') return report.warnings && report.warnings.length ? 'warnings' : 'valid';
  if (report.verdict === 'invalid') return 'invalid';
  return 'indeterminate';
}

function sourceText(source) {
  return t('ui.' + source[0], source[1]);
}

function field(label, value, attrs) {
  if (value == null || value === '') return null;
  return [h('dt', null, label), h('dd', attrs || null, value)];
}

/**
 * docTypeName shows a document type by a known name, else as the document
 * gives it. Generic media types (JWT, CWT) name no kind of document.
 */
function docTypeName(type) {
  if (!type || /^(jwt|cwt|jose|cose)$/i.test(type)) return '';
  const dcc = /^eu-dcc-(vaccination|test|recovery)$/.exec(type);
  if (dcc) return `${t('doctypes.eu-dcc')} (${t('doctypes.dcc-' + dcc[1])})`;
  const parts = String(type).toLowerCase().split(/[/#:.]+/).filter(Boolean);
  if (/18013\.5\.1\.mdl$/i.test(type)) return t('doctypes.mdl');
  for (const k of ['birth-certificate', 'residence-certificate', 'pid']) {
    if (parts.includes(k)) return t('doctypes.' + k);
  }
  return type;
}

function subjectName(s) {
  if (!s) return '';
  if (s.name) return s.name;
  return [s.given_name, s.family_name].filter(Boolean).join(' ');
}

function reasonBlock(code, cls) {
  const r = reasonText(code);
  return h('div', { class: cls || 'reason', 'data-reason': code },
    h('p', null, h('strong', null, t('ui.why') + ': '), r.explain),
    r.action ? h('p', null, h('strong', null, t('ui.what_you_can_do') + ': '), r.action) : null);
}

function section(title, ...body) {
  return h('section', { class: 'part' }, h('h3', null, title), ...body);
}

/**
 * renderResult builds the card for one report. id makes headings unique
 * when several documents are checked at once.
 */
/**
 * statusText says where the status list of a document came from: the
 * trust list, a download (when), or nowhere. status is app.js verifyOne's.
 */
function statusText(status) {
  let host = status.uri;
  try {
    host = new URL(status.uri).host;
  } catch { /* shown as given */ }
  if (status.source === 'bundle') return t('ui.status_list_bundled');
  if (status.source === 'fetched') return t('ui.status_list_downloaded', { host, time: formatDateTime(new Date(status.fetchedAt).toISOString()) });
  return t('ui.status_list_failed', { host });
}

export function renderResult({ report, ms, source, id, trustName, status, bytes }) {
  const st = state(report);
  const doc = report.document || {};
  const subj = doc.subject || {};
  const headId = `result-${id}`;

  const head = h('header', { class: 'verdict' },
    icon(st, 'icon verdict-icon'),
    h('div', null,
      h('h2', { id: headId, tabindex: '-1', 'data-verdict': st }, t(`verdict.${st}.title`)),
      h('p', { class: 'summary' }, t(`verdict.${st}.summary`)),
      h('p', { class: 'source' }, sourceText(source))));

  const parts = [];
  if (report.reason && st !== 'valid' && st !== 'warnings') parts.push(reasonBlock(report.reason));
  // A reason already given as the verdict's is not repeated as a warning.
  const warnings = (report.warnings || []).filter((w) => st === 'valid' || st === 'warnings' || w.reason !== report.reason);
  if (warnings.length) {
    parts.push(section(t('ui.warnings_heading'),
      ...warnings.map((w) => reasonBlock(w.reason, 'reason warning'))));
  }

  // A container: who signed what, each signature's own verdict, its files.
  if (report.container) parts.push(...containerParts(report.container, bytes, st === 'valid' || st === 'warnings', section));

  const portrait = /^data:image\/(jpeg|png);base64,/.test(subj.portrait || '')
    ? h('img', { class: 'portrait', src: subj.portrait, alt: t('ui.portrait_alt') })
    : null;
  const compare = [
    field(t('ui.field_name'), subjectName(subj)),
    field(t('ui.field_birth_date'), subj.birth_date ? formatDate(subj.birth_date) : ''),
    field(t('ui.field_document_type'), docTypeName(doc.type)),
    field(t('ui.field_document_number'), subj.document_number),
  ].filter(Boolean);
  // What a document says is worth comparing only when it is genuine: the
  // details of an altered document are exactly what must not be trusted.
  const genuine = st === 'valid' || st === 'warnings';
  // A container names its signers, each with their time, under "Who signed".
  const container = !!report.container;
  if (genuine && !container && (compare.length || portrait)) {
    parts.push(section(t('ui.compare_heading'),
      h('p', { class: 'hint' }, t('ui.compare_intro')),
      h('div', { class: 'compare' }, portrait, h('dl', null, compare))));
  }

  if (doc.issuer) {
    const iss = doc.issuer;
    parts.push(section(t('ui.issuer_heading'), h('dl', null,
      field(t('ui.field_name'), iss.name || t('ui.issuer_unknown_name')),
      field(t('ui.field_country'), iss.country ? `${countryName(iss.country)} (${iss.country})` : ''))));
  }

  const dates = [
    field(t('ui.field_signed_at'), doc.signed_at ? formatDateTime(doc.signed_at) : ''),
    field(t('ui.field_valid_from'), doc.valid_from ? formatDateTime(doc.valid_from) : ''),
    field(t('ui.field_valid_until'), doc.valid_until ? formatDateTime(doc.valid_until) : ''),
  ].filter(Boolean);
  if (genuine && !container && dates.length) parts.push(section(t('ui.dates_heading'), h('dl', null, dates)));

  const att = report.attestations || [];
  parts.push(section(t('ui.embassies_heading'),
    att.length
      ? [h('p', { class: 'hint' }, t('ui.embassies_intro')),
        h('ul', { class: 'embassies' }, att.map((a) => h('li', null, icon('valid', 'icon small'),
          h('span', null, t('ui.embassy_since', { embassy: a.embassy, country: countryName(a.country) || a.country || '', time: formatDateTime(a.cosigned_at) })))))]
      : h('p', null, t('ui.embassies_none'))));

  parts.push(section(t('ui.checks_heading'), h('ul', { class: 'checks' },
    (report.checks || []).map((c) => h('li', { class: `check status-${c.status}`, 'data-check': c.check },
      STATUS_ICON[c.status] ? icon(STATUS_ICON[c.status], 'icon small') : icon('none', 'icon small'),
      h('span', { class: 'status-word' }, t('status.' + c.status)),
      h('span', { class: 'check-text' }, checkText(c.check)),
      c.reason ? h('span', { class: 'check-reason' }, reasonText(c.reason).explain) : null)))));

  const tr = report.trust;
  parts.push(section(t('ui.verification_heading'), h('dl', null,
    field(t('ui.field_verified_at'), report.verified_at ? formatDateTime(report.verified_at) : ''),
    tr ? field(t('ui.field_trust'), tr.signed
      ? t('ui.trust_summary', { operator: tr.operator || '—', sequence: tr.sequence || 0, age: formatAge(tr.age_seconds || 0) })
      // Unsigned trust vouches for nothing about itself: name the list the
      // page gave, and say that it is not signed.
      : `${trustName || tr.operator || '—'} (${t('ui.trust_unsigned')})`) : null,
    status ? field(t('ui.field_status_list'), statusText(status), { 'data-status-list': status.source }) : null,
    ms != null ? field(t('ui.field_duration'), t('ui.duration_ms', { ms: ms.toFixed(1) }), { 'data-ms': ms.toFixed(3) }) : null)));

  parts.push(technical(report, id));

  return h('article', { class: `result state-${st}`, 'aria-labelledby': headId, 'data-state': st, 'data-reason': report.reason || '' },
    head, ...parts);
}

function technical(report, id) {
  const doc = report.document || {};
  const tech = doc.technical || {};
  const json = JSON.stringify(report, null, 2);
  const download = h('button', {
    type: 'button',
    class: 'secondary',
    onclick: () => {
      const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
      const a = h('a', { href: url, download: `apostille-report-${id}.json` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    },
  }, t('ui.download_report'));
  const certs = tech.certificates || [];
  return h('details', { class: 'technical' },
    h('summary', null, t('ui.technical_summary')),
    h('dl', null,
      field(t('ui.field_format'), doc.format),
      field(t('ui.field_algorithm'), tech.alg),
      field(t('ui.field_key_id'), doc.issuer && doc.issuer.kid),
      field(t('ui.field_document_type'), doc.type)),
    tech.headers ? [h('h4', null, t('ui.headers_heading')), h('pre', { tabindex: '0' }, JSON.stringify(tech.headers, null, 2))] : null,
    certs.length ? [h('h4', null, t('ui.chain_heading')), h('ol', { class: 'chain' }, certs.map((c) => h('li', null, h('dl', null,
      field(t('ui.cert_subject'), c.subject),
      field(t('ui.cert_issuer'), c.issuer),
      field(t('ui.cert_serial'), c.serial),
      field(t('ui.cert_valid'), `${formatDateTime(c.not_before)} – ${formatDateTime(c.not_after)}`)))))] : null,
    doc.claims ? [h('h4', null, t('ui.claims_heading')), h('pre', { tabindex: '0' }, JSON.stringify(doc.claims, null, 2))] : null,
    h('h4', null, t('ui.report_heading')),
    h('pre', { class: 'raw-report', tabindex: '0' }, json),
    download);
}
