// The trust list the page decides with. The page ships a signed trust bundle
// (trust/default.jws, fetched from this site) and can take another from a
// file or an https:// address: a trust list may be fetched, a document never
// is. A signed bundle must verify with an operator key the build pinned into
// the page (the module checks the signature; engine.js pins the keys).
//
// Rollback protection is the host's, and this is the page's host: the
// highest edition (sequence) accepted per operator is kept in localStorage,
// with the SHA-256 of that edition, as the command line keeps it in its
// state file (docs/trust-signing.md). An older edition is refused
// (trust_rollback), and so is the same edition with other content, also
// after a reload. The chosen list is kept too, and verified again on load.
export const DEFAULT_URL = 'trust/default.jws';
const CHOSEN = 'apostille.trust.chosen';
const STATE = 'apostille.trust.state';
// The memory of editions of unsigned bundles, which an earlier page kept:
// an unsigned edition number proves nothing, so it is dropped.
const OLD_SEEN = 'apostille.trust.seen';

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

function trimmed(bytes) {
  const ws = (b) => b === 0x20 || (b >= 0x09 && b <= 0x0d);
  let a = 0;
  let z = bytes.length;
  while (a < z && ws(bytes[a])) a++;
  while (z > a && ws(bytes[z - 1])) z--;
  return bytes.subarray(a, z);
}

/**
 * kind says what a trust source is, as the module will take it: "signed"
 * (a compact JWS, the module's IsSignedBundle), "bundle" (an unsigned
 * trust bundle, which the page refuses: it names a publisher and an
 * edition that nothing vouches for) or "other" (certificates or keys a
 * person brings, shown as not signed).
 */
export function kind(bytes) {
  const text = new TextDecoder().decode(trimmed(bytes));
  if (text.startsWith('eyJ') && text.split('.').length === 3) return 'signed';
  try {
    const obj = JSON.parse(text);
    if (obj && typeof obj === 'object' && typeof obj.trust_bundle === 'string') return 'bundle';
  } catch { /* PEM, DER or a key set that is not an object: other */ }
  return 'other';
}

/** digest is the hex SHA-256 of a signed bundle, surrounding white space aside. */
export async function digest(bytes) {
  const sum = new Uint8Array(await crypto.subtle.digest('SHA-256', trimmed(bytes)));
  return [...sum].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function loadState() {
  const s = store();
  if (!s) return { operators: {} };
  s.removeItem(OLD_SEEN);
  try {
    const st = JSON.parse(s.getItem(STATE) || 'null');
    if (st && typeof st.operators === 'object' && st.operators) return st;
  } catch { /* start again */ }
  return { operators: {} };
}

export class RollbackError extends Error {
  constructor(got, seen, same) {
    super('trust_rollback');
    this.got = got;
    this.seen = seen;
    // same: the edition was accepted before with other content.
    this.same = same;
  }
}

/**
 * checkEdition throws RollbackError for a signed bundle (info is its
 * report.trust) older than, or different from, the edition accepted last
 * from its operator.
 */
export function checkEdition(info, sha256) {
  if (!info || !info.signed || !info.operator) return;
  const last = loadState().operators[info.operator];
  if (!last) return;
  if (info.sequence < last.sequence) throw new RollbackError(info.sequence, last.sequence, false);
  if (info.sequence === last.sequence && last.sha256 && sha256 !== last.sha256) {
    throw new RollbackError(info.sequence, last.sequence, true);
  }
}

/** acceptEdition records a signed bundle the module and checkEdition accepted. */
export function acceptEdition(info, sha256) {
  const s = store();
  if (!s || !info || !info.signed || !info.operator) return;
  const st = loadState();
  const last = st.operators[info.operator];
  if (last && last.sequence >= info.sequence) return;
  st.operators[info.operator] = { sequence: info.sequence, sha256, accepted_at: new Date().toISOString() };
  s.setItem(STATE, JSON.stringify(st));
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

/**
 * services lists the trust services (ETSI TS 119 612: certificate
 * authorities, OCSP responders, time-stamping authorities) a trust list
 * carries, each with its status now. It is read from the list's own bytes
 * only after the module accepted the list (signature, edition), so what it
 * shows is signed data; a list without services, or that is not a bundle
 * (a certificate, a JWK Set), has none.
 */
export function services(bytes, now = new Date()) {
  let doc;
  try {
    const text = new TextDecoder().decode(trimmed(bytes));
    if (text.startsWith('{')) {
      doc = JSON.parse(text);
    } else {
      const parts = text.split('.');
      if (parts.length !== 3) return [];
      doc = JSON.parse(new TextDecoder().decode(fromB64(parts[1].replace(/-/g, '+').replace(/_/g, '/'))));
    }
  } catch {
    return [];
  }
  if (!doc || !Array.isArray(doc.services)) return [];
  return doc.services.filter((s) => s && typeof s.name === 'string' && Array.isArray(s.history)).map((s) => {
    // History is newest first; the status now is the first that began.
    const cur = s.history.find((e) => e && Date.parse(e.start) <= now.getTime());
    return { country: String(s.country || ''), provider: String(s.provider || ''), name: s.name,
      type: String((cur && cur.type) || s.type || ''), status: cur ? String(cur.status) : '' };
  });
}
