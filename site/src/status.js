// Status lists (revocation) fetched by their address. The module never
// fetches: a document whose revocation check says status_unknown names its
// list on that check (status_list.uri, as for every host), the page
// downloads that list and hands it to the module, which verifies the
// document again with it (draft-ietf-oauth-status-list;
// docs/trust-signing.md).
//
// The request carries only the list's address, which the issuer signed into
// the document: a list is fetched only for a document whose signature the
// module accepted, over https only, without credentials or referrer. The
// document, its index in the list and anything else of it stay here.
//
// Lists are kept in memory, as internal/statusfetch keeps them for the
// command line: a list is fresh for its ttl from when it was fetched (one
// hour when it states none), never past its exp. A list that cannot be
// fetched again is still handed in from memory, and the module decides
// whether it is still usable.

/** DEFAULT_TTL is how long a list without ttl is kept, in seconds. */
export const DEFAULT_TTL = 3600;
const MAX_LIST = 8 << 20;

/**
 * statusListURI is the status list address a document refers to, as its
 * report's revocation check names it (status_list.uri, from the signed
 * claims). Empty when the document names none.
 */
export function statusListURI(report) {
  const sl = (revocationCheck(report) || {}).status_list;
  return sl && typeof sl.uri === 'string' ? sl.uri : '';
}

/** revocationCheck is the report's revocation check, when the module got that far. */
export function revocationCheck(report) {
  return ((report && report.checks) || []).find((c) => c.check === 'revocation') || null;
}

/**
 * needsList says whether the module could not decide a document's status
 * for want of its list: the signature holds and the revocation check is
 * status_unknown.
 */
export function needsList(report) {
  const signed = ((report && report.checks) || []).some((c) => c.check === 'signature' && c.status === 'passed');
  const rev = revocationCheck(report);
  return signed && !!rev && rev.reason === 'status_unknown';
}

/** isHTTPS accepts an absolute https:// address with a host, nothing else. */
export function isHTTPS(uri) {
  try {
    const u = new URL(uri);
    return u.protocol === 'https:' && u.host !== '' && !u.username && !u.password;
  } catch {
    return false;
  }
}

/**
 * listInfo reads what a list says about caching: {sub, exp, ttl} from a
 * status list JWT's payload, unverified (the module verifies it). A CWT
 * list yields {}: it is kept for the default ttl, and the module still
 * refuses it past its exp.
 */
export function listInfo(token) {
  try {
    const text = new TextDecoder().decode(token).trim();
    const parts = text.split('.');
    if (parts.length !== 3) return {};
    const p = JSON.parse(atob(parts[1].replace(/-/g, '+').replace(/_/g, '/')));
    const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
    return { sub: typeof p.sub === 'string' ? p.sub : undefined, exp: num(p.exp), ttl: num(p.ttl) };
  } catch {
    return {};
  }
}

/** StatusLists fetches status list tokens by address and keeps them in memory. */
export class StatusLists {
  constructor({ fetch: f = (...a) => fetch(...a), now = () => Date.now() } = {}) {
    this.fetch = f;
    this.now = now;
    this.lists = new Map(); // uri → {token, fetchedAt, ttl, exp}
    this.pending = new Map(); // uri → Promise, so that one list is fetched once
  }

  fresh(e) {
    const now = this.now();
    if (e.exp !== undefined && now >= e.exp * 1000) return false;
    return now < e.fetchedAt + (e.ttl > 0 ? e.ttl : DEFAULT_TTL) * 1000;
  }

  /**
   * get returns {token, fetchedAt, fetched} for uri: from memory while
   * fresh (unless refresh), else downloaded (fetched: true). It throws when
   * the list cannot be had at all.
   */
  async get(uri, { refresh = false } = {}) {
    const kept = this.lists.get(uri);
    if (kept && !refresh && this.fresh(kept)) return { ...kept, fetched: false };
    if (!this.pending.has(uri)) {
      this.pending.set(uri, this.download(uri).finally(() => this.pending.delete(uri)));
    }
    try {
      return { ...(await this.pending.get(uri)), fetched: true };
    } catch (e) {
      if (kept) return { ...kept, fetched: false };
      throw e;
    }
  }

  async download(uri) {
    if (!isHTTPS(uri)) throw new Error('not an https address');
    const res = await this.fetch(uri, {
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      cache: 'no-cache', // revalidated with the HTTP cache's ETag, as statusfetch sends If-None-Match
      headers: { Accept: 'application/statuslist+jwt, application/statuslist+cwt' },
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    if (res.url && !isHTTPS(res.url)) throw new Error('redirected away from https');
    const token = new Uint8Array(await res.arrayBuffer());
    if (token.length > MAX_LIST) throw new Error('too large');
    const info = listInfo(token);
    if (info.sub !== undefined && info.sub !== uri) throw new Error('the list names another address');
    const e = { token, fetchedAt: this.now(), ttl: info.ttl, exp: info.exp };
    this.lists.set(uri, e);
    return e;
  }
}
