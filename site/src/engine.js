// The engine adapter: the one file of the page that talks to the
// verification module through its ES module (wasm/js). Everything else in the
// page sees three calls — startEngine, setTrust, verify — and a report object
// (verifier/report.go). There is no verification logic in JavaScript.
//
// The module is refused, not run, unless its SHA-384 equals the digest the
// build wrote into this bundle (WASM_SHA384): the page's own script is pinned
// by the integrity attribute in index.html, and it pins the module in turn.
import * as wasmjs from 'apostille-wasm';

/* global WASM_URL, WASM_SHA384 */

/** ModuleRefused is thrown when the module's bytes are not the ones the build pinned. */
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
  const verifier = await wasmjs.load(module);
  performance.mark('apostille-module-ready');
  return new Engine(verifier, url);
}

class Engine {
  constructor(verifier, url) {
    this.v = verifier;
    // The module's file name carries its content hash: the version a
    // person can quote, next to the ABI the loader speaks.
    const m = /\.([0-9a-f]{8,})\.wasm$/.exec(url);
    this.version = `${m ? m[1] : ''} (ABI ${wasmjs.ABI_VERSION})`.trim();
  }

  /**
   * setTrust replaces the trust the module decides with: sources are
   * {name, bytes} of trust bundles, JWK Sets or certificates. It throws when
   * the module refuses one, and the previous trust is then kept.
   */
  setTrust(sources, previous = []) {
    this.v.resetTrust();
    try {
      for (const s of sources) this.v.addTrust(s.name, s.bytes);
    } catch (e) {
      this.v.resetTrust();
      for (const s of previous) this.v.addTrust(s.name, s.bytes);
      throw e;
    }
  }

  /**
   * verify checks one document and returns its report (report "v1").
   * at is the verification time; payload and proof are optional detached
   * content and embassy proof.
   */
  verify(doc, { at = new Date(), payload, proof } = {}) {
    const t0 = performance.now();
    const opts = { at: at.toISOString().replace(/\.\d{3}Z$/, 'Z') };
    if (payload) opts.payload = payload;
    if (proof) opts.proof = proof;
    const report = this.v.verify(doc, opts);
    return { report, ms: performance.now() - t0 };
  }
}
