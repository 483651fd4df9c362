// A signed container (ASiC-E, BDOC) as a person reads it: who signed, when,
// and whether each signature holds; then the files it holds, each to open
// or save from the container itself, on this device. The report carries
// only names, sizes and digests; the bytes come out of the dropped file
// (zip.js, loaded on the first click) and are offered only when their
// SHA-256 is the one the module reported.
import { h, icon } from './render.js';
import { t, reasonText, formatDateTime, countryName } from './i18n.js';

const STATE = { valid: 'valid', invalid: 'invalid', indeterminate: 'indeterminate' };

function row(label, value, attrs) {
  if (value == null || value === '') return null;
  return [h('dt', null, label), h('dd', attrs || null, value)];
}

function formatSize(n) {
  return new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }).format(n < 1024 ? n : n / 1024) +
    ' ' + t(n < 1024 ? 'ui.size_bytes' : 'ui.size_kb');
}

// Types a browser shows without running anything of the file; any other
// file is only saved. Text opens as plain text whatever it claims to be.
function openType(mediaType) {
  const mt = String(mediaType || '').toLowerCase();
  if (mt.startsWith('text/')) return 'text/plain;charset=utf-8';
  if (mt === 'application/pdf' || /^image\/(png|jpeg|gif|webp)$/.test(mt)) return mt;
  return '';
}

function signatureItem(sig) {
  const st = STATE[sig.verdict] || 'indeterminate';
  const s = sig.signer || {};
  const qualified = sig.qualified ? t('ui.qualified_' + sig.qualified) : '';
  const r = sig.reason ? reasonText(sig.reason) : null;
  return h('li', { class: `signature state-${st}`, 'data-signature': sig.file, 'data-verdict': sig.verdict, 'data-reason': sig.reason || '' },
    h('h4', null, icon(st, 'icon small'), ' ',
      h('span', { class: 'signature-verdict' }, t(`ui.signature_${st}`)), ' — ',
      h('span', { class: 'signer-name' }, s.name || t('ui.signer_unknown'))),
    r ? h('p', { class: 'signature-reason' }, r.explain) : null,
    h('dl', null,
      row(t('ui.field_personal_code'), s.personal_code, { class: 'personal-code' }),
      row(t('ui.field_country'), s.country ? `${countryName(s.country)} (${s.country})` : ''),
      row(t('ui.field_signing_time'), sig.signing_time ? formatDateTime(sig.signing_time) : ''),
      sig.signing_time ? null : row(t('ui.field_claimed_time'), sig.claimed_signing_time ? formatDateTime(sig.claimed_signing_time) : ''),
      row(t('ui.field_level'), sig.level, { class: 'signature-level' }),
      row(t('ui.field_qualified'), qualified),
      row(t('ui.field_tsa'), sig.timestamp_authority),
      row(t('ui.field_ocsp'), sig.ocsp_responder
        ? (sig.ocsp_produced_at ? t('ui.ocsp_at', { responder: sig.ocsp_responder, time: formatDateTime(sig.ocsp_produced_at) }) : sig.ocsp_responder)
        : ''),
      row(t('ui.field_signed_files'), (sig.files || []).join(', ')),
      row(t('ui.field_etsi'), sig.indication ? [sig.indication, sig.sub_indication].filter(Boolean).join(' / ') : '')),
    (sig.warnings || []).filter((w) => w.reason !== sig.reason)
      .map((w) => h('p', { class: 'signature-warning', 'data-reason': w.reason }, reasonText(w.reason).explain)));
}

function fileItem(file, bytes) {
  const status = h('span', { class: 'file-status', role: 'status' });
  const extract = async () => {
    const { readEntry, sha256Hex } = await import('./zip.js');
    const data = await readEntry(bytes, file.name, file.size);
    if ((await sha256Hex(data)) !== file.sha256) return null;
    return data;
  };
  const give = (mode) => async () => {
    status.textContent = '';
    let data = null;
    let problem = 'digest';
    try {
      data = await extract();
    } catch (e) {
      console.warn('container file', e && e.code);
      problem = 'read';
    }
    if (!data) {
      status.textContent = t(problem === 'digest' ? 'ui.file_mismatch' : 'ui.file_failed');
      status.dataset.problem = problem;
      return;
    }
    const type = mode === 'open' ? openType(file.media_type) : 'application/octet-stream';
    const url = URL.createObjectURL(new Blob([data], { type }));
    const a = h('a', mode === 'open' ? { href: url, target: '_blank', rel: 'noopener' } : { href: url, download: file.name.split('/').pop() });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    status.textContent = t('ui.file_checked');
    status.dataset.problem = '';
  };
  return h('li', { class: 'data-file', 'data-file-name': file.name },
    h('span', { class: 'file-name' }, file.name), ' ',
    h('span', { class: 'file-meta' }, `${formatSize(file.size)}, ${file.media_type}`), ' ',
    bytes && openType(file.media_type)
      ? h('button', { type: 'button', class: 'secondary file-open', onclick: give('open'), 'aria-label': t('ui.file_open_named', { name: file.name }) }, t('ui.file_open'))
      : null,
    bytes ? h('button', { type: 'button', class: 'secondary file-save', onclick: give('save'), 'aria-label': t('ui.file_save_named', { name: file.name }) }, t('ui.file_save')) : null,
    status);
}

/**
 * containerParts builds the signatures and files sections of a container
 * report; section makes a titled part as render.js does. bytes are the
 * container's, when the page has them.
 */
export function containerParts(container, bytes, genuine, section) {
  const sigs = container.signatures || [];
  const files = container.data_files || [];
  return [
    section(t('ui.signatures_heading'),
      sigs.length
        ? h('ol', { class: 'signatures' }, sigs.map(signatureItem))
        : h('p', null, t('ui.signatures_none'))),
    section(t('ui.files_heading'),
      h('p', { class: 'hint' }, t(genuine ? 'ui.files_intro' : 'ui.files_intro_not_genuine')),
      h('ul', { class: 'data-files' }, files.map((f) => fileItem(f, bytes)))),
  ];
}
