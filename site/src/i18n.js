// Languages of the page. The text of each lives in i18n/LANG.json; reason
// codes and check names come from the module's reports and are translated
// here, never the module's detail strings. A build step and a test require
// every code and check name in every language.
import en from './i18n/en.json';
import et from './i18n/et.json';
import fr from './i18n/fr.json';
import de from './i18n/de.json';

export const languages = { en, et, fr, de };
const STORE = 'apostille.lang';

let current = en;

/** pickLanguage chooses the stored choice, else the browser's, else English. */
export function pickLanguage() {
  let stored = null;
  try { stored = localStorage.getItem(STORE); } catch { /* storage off */ }
  const wanted = [stored, ...(navigator.languages || [navigator.language])].filter(Boolean);
  for (const w of wanted) {
    const base = String(w).toLowerCase().split('-')[0];
    if (languages[base]) return base;
  }
  return 'en';
}

export function setLanguage(code, remember) {
  current = languages[code] || en;
  document.documentElement.lang = current.lang;
  if (remember) {
    try { localStorage.setItem(STORE, current.lang); } catch { /* storage off */ }
  }
  return current.lang;
}

export function lang() {
  return current.lang;
}

function fill(s, vars) {
  return s.replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? String(vars[k]) : m));
}

/** t looks up a UI string ("ui.key") or a nested key, falling back to English. */
export function t(key, vars) {
  const get = (dict) => key.split('.').reduce((o, k) => (o == null ? undefined : o[k]), dict);
  let s = get(current);
  if (typeof s !== 'string') s = get(en);
  if (typeof s !== 'string') return key;
  return fill(s, vars);
}

/** reasonText returns {explain, action} for a reason code. */
export function reasonText(code) {
  const r = current.reasons[code] || en.reasons[code];
  if (r) return r;
  return { explain: fill(current.ui.unknown_reason || 'The check reported “{code}”.', { code }), action: '' };
}

export function checkText(name) {
  return current.checks[name] || en.checks[name] || name;
}

/** translatePage fills every element marked data-i18n (text) or data-i18n-attr. */
export function translatePage(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t('ui.' + el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      el.setAttribute(attr, t('ui.' + key));
    }
  }
  document.title = t('ui.title');
}

// Formatting in the chosen language.

export function formatDateTime(iso) {
  const d = new Date(iso);
  if (isNaN(d)) return iso;
  return new Intl.DateTimeFormat(current.lang, { dateStyle: 'long', timeStyle: 'short' }).format(d);
}

/** formatDate shows a calendar date (a birth date) without shifting it by time zone. */
export function formatDate(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || '');
  if (!m) return s;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return new Intl.DateTimeFormat(current.lang, { dateStyle: 'long', timeZone: 'UTC' }).format(d);
}

export function countryName(code) {
  if (!code) return '';
  try {
    return new Intl.DisplayNames([current.lang], { type: 'region' }).of(code.toUpperCase()) || code;
  } catch {
    return code;
  }
}

/** formatAge turns seconds into "3 months" in the chosen language. */
export function formatAge(seconds) {
  const units = [['year', 365 * 86400], ['month', 30 * 86400], ['day', 86400], ['hour', 3600], ['minute', 60]];
  const s = Math.max(0, seconds);
  for (const [unit, size] of units) {
    if (s >= size || unit === 'minute') {
      const n = Math.floor(s / size);
      return new Intl.NumberFormat(current.lang, { style: 'unit', unit, unitDisplay: 'long' }).format(n);
    }
  }
  return '';
}
