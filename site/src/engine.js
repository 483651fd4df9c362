// The engine adapter: the one file of the page that talks to the
// verification module through its ES module (wasm/js). Everything else in the
// page sees startEngine, setTrust, trustInfo and verify, and a report object
// (verifier/report.go). There is no verification logic in JavaScript.
//
// The module is refused, not run, unless its SHA-384 equals the digest the
// build wrote into this bundle (WASM_SHA384): the page's own script is pinned
// by the integrity attribute in index.html, and it pins the module in turn.
// The same way, the build pins the trust-list operator keys (OPERATOR_KEYS,
// public JWKs): a signed trust bundle verifies with one of them or is
// refused by the module.
import * as wasmjs from 'apostille-wasm';

/* global WASM_URL, WASM_SHA384, OPERATOR_KEYS */

export { TrustError } from 'apostille-wasm';

/** ModuleRefused is thrown when the module's bytes are not the ones the build pinned. */
// A DigiDoc container carries its data files (a contract's PDF, a scan),
// so it is routinely larger than the module's default limit, which is sized
// for tokens. The module reads a container's data files only into their
// digests, and its container reader bounds entries, sizes and compression
// ratios itself; 64 MiB bounds what the page hands it.
const CONTAINER_MAX_SIZE = 64 << 20;

function isZip(b) {
  return b && b.length > 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
}

export class ModuleRefused extends Error {
  constructor(expected, got) {
    super(`module digest ${got} does not match the pinned ${expected}`);
    this.name = 'ModuleRefused';
  }
}

function b64(buf) {
  let s = '';
  const a = new Uint8Array(buf);
  for (let i = 0; i < a.length; i++) s += String.fromCharCode(a[i]);
  return btoa(s);
}

/**
 * startEngine fetches, checks and instantiates the module. Compilation
 * streams (application/wasm) while the digest is computed over the same
 * bytes; nothing of the module runs before the digest matched.
 */
export async function startEngine({ url = WASM_URL, sha384 = WASM_SHA384 } = {}) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`module: HTTP ${res.status}`);
  const streaming = WebAssembly.compileStreaming ? WebAssembly.compileStreaming(res.clone()) : null;
  if (streaming) streaming.catch(() => {});
  const buf = await res.arrayBuffer();
  const digest = 'sha384-' + b64(await crypto.subtle.digest('SHA-384', buf));
  if (digest !== sha384) throw new ModuleRefused(sha384, digest);
  // A host that serves the module without Content-Type application/wasm
  // defeats streaming compilation; the bytes just checked compile as well.
  let module;
  try {
    module = streaming ? await streaming : await WebAssembly.compile(buf);
  } catch {
    module = await WebAssembly.compile(buf);
  }
  performance.mark('apostille-module-compiled');
  const verifier = await wasmjs.load(module, { operatorKeys: OPERATOR_KEYS });
  performance.mark('apostille-module-ready');
  return new Engine(verifier, url);
}

const EMPTY = new Uint8Array(0);
const rfc3339 = (at) => at.toISOString().replace(/\.\d{3}Z$/, 'Z');

class Engine {
  constructor(verifier, url) {
    this.v = verifier;
    /** The kids of the pinned operator keys. */
    this.operatorKeys = OPERATOR_KEYS.map((k) => k.kid);
    // The module's file name carries its content hash: the version a
    // person can quote, next to the ABI the loader speaks.
    const m = /\.([0-9a-f]{8,})\.wasm$/.exec(url);
    this.version = `${m ? m[1] : ''} (ABI ${wasmjs.ABI_VERSION})`.trim();
  }

  /**
   * setTrust replaces the trust the module decides with: sources are
   * {name, bytes} of signed trust bundles, JWK Sets or certificates. The
   * module refuses a signed bundle that no pinned key verifies (a
   * TrustError, reason trust_invalid); accept(info), given the new trust's
   * report.trust, may refuse it too (the rollback memory). On any refusal
   * the previous trust is restored and the error thrown. It returns the
   * new trust's trustInfo.
   */
  setTrust(sources, previous = [], accept = () => {}) {
    this.v.resetTrust();
    try {
      for (const s of sources) this.v.addTrust(s.name, s.bytes);
      const info = this.trustInfo();
      accept(info);
      return info;
    } catch (e) {
      this.v.resetTrust();
      for (const s of previous) this.v.addTrust(s.name, s.bytes);
      throw e;
    }
  }

  /**
   * trustInfo is what the module says about the trust it holds, at time
   * at: report.trust (operator, operator_key, sequence, issued_at,
   * next_update, age_seconds, signed) and stale, when a signed bundle is
   * past its next_update (trust_stale). It is read from the report of an
   * empty input, which the module decides without reading a document.
   */
  trustInfo(at = new Date()) {
    const r = this.v.verify(EMPTY, { at: rfc3339(at) });
    const stale = (r.checks || []).some((c) => c.check === 'trust_bundle' && c.reason === 'trust_stale');
    return { ...(r.trust || { signed: false }), stale };
  }

  /**
   * verify checks one document and returns its report (report "v1").
   * at is the verification time; payload and proof are optional detached
   * content and embassy proof; statusLists are status list tokens the page
   * fetched.
   */
  verify(doc, { at = new Date(), payload, proof, statusLists } = {}) {
    const t0 = performance.now();
    const opts = { at: rfc3339(at) };
    if (isZip(doc)) opts.maxSize = CONTAINER_MAX_SIZE;
    if (payload) opts.payload = payload;
    if (proof) opts.proof = proof;
    if (statusLists && statusLists.length) opts.statusLists = statusLists;
    const report = this.v.verify(doc, opts);
    return { report, ms: performance.now() - t0 };
  }
}
