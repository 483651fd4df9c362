// The trust list the page decides with. The page ships the demo bundle
// (trust/default.json, fetched from this site) and can take another from a
// file or an https:// address: a trust list may be fetched, a document never
// is. A chosen list is kept in localStorage, and so is the highest edition
// (sequence) accepted per publisher, so that an older list is refused
// (trust_rollback) even after a reload.
//
// Whether a list is genuine is the module's decision (setTrust throws when it
// refuses one; reports carry report.trust). This file only reads the list's
// own description (publisher, edition, dates) to show which one is in use.
export const DEFAULT_URL = 'trust/default.json';
const CHOSEN = 'apostille.trust.chosen';
const SEEN = 'apostille.trust.seen';

function store() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function toB64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromB64(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * describe reads what a trust list says about itself: {operator, sequence,
 * issued_at, next_update, bundle: true} for a trust bundle (plain JSON, or
 * the payload of a signed JWS bundle), {bundle: false} for other sources.
 */
export function describe(bytes) {
  const text = new TextDecoder().decode(bytes).trim();
  let obj = null;
  try {
    obj = JSON.parse(text);
  } catch {
    const parts = text.split('.');
    if (parts.length === 3) {
      try {
        obj = JSON.parse(atob(parts[1].replace(/-/g, '+').replace(/_/g, '/')));
      } catch { /* not a signed bundle either */ }
    }
  }
  if (obj && typeof obj === 'object' && typeof obj.trust_bundle === 'string') {
    return {
      bundle: true,
      operator: String(obj.operator || ''),
      sequence: Number(obj.sequence || 0),
      issued_at: String(obj.issued_at || ''),
      next_update: String(obj.next_update || ''),
    };
  }
  return { bundle: false };
}

/** seenSequence is the highest edition accepted from operator so far. */
export function seenSequence(operator) {
  const s = store();
  if (!s) return 0;
  try {
    return Number(JSON.parse(s.getItem(SEEN) || '{}')[operator] || 0);
  } catch {
    return 0;
  }
}

function rememberSequence(operator, sequence) {
  const s = store();
  if (!s || !operator) return;
  let seen = {};
  try {
    seen = JSON.parse(s.getItem(SEEN) || '{}');
  } catch { /* start again */ }
  if (!(Number(seen[operator] || 0) >= sequence)) {
    seen[operator] = sequence;
    s.setItem(SEEN, JSON.stringify(seen));
  }
}

export class RollbackError extends Error {
  constructor(got, seen) {
    super('trust_rollback');
    this.got = got;
    this.seen = seen;
  }
}

/** checkRollback throws RollbackError for an edition older than one accepted. */
export function checkRollback(info) {
  if (info.bundle && info.operator) {
    const seen = seenSequence(info.operator);
    if (info.sequence < seen) throw new RollbackError(info.sequence, seen);
  }
}

/** remember records the edition of a list the module accepted. */
export function remember(info) {
  if (info.bundle && info.operator) rememberSequence(info.operator, info.sequence);
}

/** The chosen list ({source, name, bytes}) or null for the built-in one. */
export function chosen() {
  const s = store();
  if (!s) return null;
  try {
    const c = JSON.parse(s.getItem(CHOSEN) || 'null');
    return c ? { source: c.source, name: c.name, bytes: fromB64(c.bytes) } : null;
  } catch {
    return null;
  }
}

export function choose(list) {
  const s = store();
  if (!s) return;
  if (!list) s.removeItem(CHOSEN);
  else s.setItem(CHOSEN, JSON.stringify({ source: list.source, name: list.name, bytes: toB64(list.bytes) }));
}

/**
 * fetchList downloads a trust list: the page's own (a path on this site) or
 * one at an absolute https:// address a person typed. Nothing else is
 * fetched: a relative address would go to this site with whatever was typed
 * in its path, and what was typed may be a document.
 */
export async function fetchList(address, { own = false } = {}) {
  let u;
  if (own) u = new URL(address, document.baseURI);
  else {
    if (!/^https:\/\/[^\s]+$/i.test(address)) throw new Error('not an https address');
    u = new URL(address);
  }
  // The page's own list is requested exactly as index.html preloads it, so
  // that the preloaded response is used; another site gets no credentials.
  const res = await fetch(u.href, own ? {} : { credentials: 'omit', referrerPolicy: 'no-referrer' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const buf = new Uint8Array(await res.arrayBuffer());
  if (buf.length > 4 << 20) throw new Error('too large');
  return buf;
}
