// Apostille: the document verifier's WebAssembly module for browsers and
// Node, with the few WASI imports it needs written by hand (no dependency).
// The module is the same file the Go host runs, so the reports are the same
// bytes. docs/abi.md describes the ABI this file speaks.

/** The module ABI this loader speaks. */
export const ABI_VERSION = 2;

const ERROR_FLAG = 0x80000000n;
const NOT_HANDLED = 2;
const HASH_NOT_HANDLED = -1;

// WASI errno values (wasi_snapshot_preview1).
const ESUCCESS = 0;
const EBADF = 8;
const ENOSYS = 52;

/** Raised when the module exits or traps; the Verifier is then unusable. */
export class ModuleError extends Error {
  constructor(message, code) {
    super(message);
    this.name = "ModuleError";
    this.code = code;
  }
}

/**
 * Raised when the module refuses a trust source or an operator key. reason
 * is the reason code a refused signed bundle starts its text with
 * (trust_invalid), when there is one.
 */
export class TrustError extends Error {
  constructor(message, reason) {
    super(message);
    this.name = "TrustError";
    this.reason = reason;
  }
}

/**
 * Loads the module and returns a Verifier.
 * @param {BufferSource|Response|URL|string|WebAssembly.Module} [source]
 *   The module: bytes, a fetch Response, a URL or path, or a compiled
 *   module. By default the apostille.wasm next to this file.
 * @param {{operatorKeys?: Array<Uint8Array|string|object>, trust?: Array<{name: string, data: Uint8Array|string}>, stderr?: (text: string) => void}} [options]
 *   operatorKeys are pinned before trust is added, so that signed trust
 *   bundles among trust verify with them.
 */
export async function load(source, options = {}) {
  const module = await compile(source ?? new URL("./apostille.wasm", import.meta.url));
  const v = await Verifier.instantiate(module, options);
  for (const k of options.operatorKeys ?? []) v.addOperatorKey(k);
  for (const t of options.trust ?? []) v.addTrust(t.name, t.data);
  return v;
}

async function compile(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (typeof Response !== "undefined" && source instanceof Response) {
    return WebAssembly.compileStreaming ? WebAssembly.compileStreaming(source) : WebAssembly.compile(await source.arrayBuffer());
  }
  if (source instanceof URL || typeof source === "string") {
    const url = source instanceof URL ? source : new URL(source, import.meta.url);
    if (url.protocol === "file:") {
      const { readFile } = await import("node:fs/promises");
      return WebAssembly.compile(await readFile(url));
    }
    return compile(await fetch(url));
  }
  return WebAssembly.compile(source);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytesOf = (b) => (b == null ? new Uint8Array(0) : typeof b === "string" ? encoder.encode(b) : b instanceof Uint8Array ? b : new Uint8Array(b.buffer ?? b, b.byteOffset ?? 0, b.byteLength));

function base64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

// later makes the constructor build the imports only; instantiate() then
// instantiates asynchronously.
const later = Symbol("instantiate later");

/** One instance of the module with its trust. One call at a time. */
export class Verifier {
  #instance;
  #exports;
  #stderr;
  #imports;
  #dead = null;

  constructor(module, options = {}) {
    this.#stderr = options.stderr ?? (() => {});
    this.#imports = {
      wasi_snapshot_preview1: this.#wasi(),
      // The module offers each signature check and the digests of large
      // inputs to the host first. A browser's WebCrypto is asynchronous
      // and cannot answer a synchronous import, so the module checks
      // signatures and hashes itself (after one hash_update answered
      // HASH_NOT_HANDLED it stops asking).
      apostille_host: { verify_signature: () => NOT_HANDLED, hash_update: () => HASH_NOT_HANDLED },
    };
    if (module !== later) this.#start(new WebAssembly.Instance(module, this.#imports));
  }

  /**
   * Instantiates the module asynchronously. Browsers refuse a synchronous
   * instantiation of a module larger than 8 MB on their main thread (the
   * constructor's), so load() uses this.
   */
  static async instantiate(module, options = {}) {
    const v = new Verifier(later, options);
    v.#start(await WebAssembly.instantiate(module, v.#imports));
    return v;
  }

  #start(instance) {
    this.#instance = instance;
    this.#exports = this.#instance.exports;
    this.#call(() => this.#exports._initialize());
    const v = this.#call(() => this.#exports.apostille_abi_version());
    if (v !== ABI_VERSION) throw new ModuleError(`the module speaks ABI ${v}, not ${ABI_VERSION}`);
  }

  /**
   * Pins a trust-list operator key: a public JWK with kid and alg (bytes,
   * text or an object). Signed trust bundles added afterwards must verify
   * with a pinned key. Pinned keys stay when trust is reset.
   */
  addOperatorKey(jwk) {
    const d = bytesOf(jwk !== null && typeof jwk === "object" && !ArrayBuffer.isView(jwk) && !(jwk instanceof ArrayBuffer) ? JSON.stringify(jwk) : jwk);
    this.#write(d);
    const [out, isErr] = this.#result(this.#call(() => this.#exports.apostille_operator_key_add(d.length)));
    if (isErr) throw new TrustError(JSON.parse(out).error);
  }

  /**
   * Adds trust: a signed trust bundle (checked against the pinned operator
   * keys), a trust bundle, a JWK Set, a JWK or PEM/DER certificates. Throws
   * a TrustError when the module refuses it; the trust already added stays.
   */
  addTrust(name, data) {
    const n = bytesOf(name), d = bytesOf(data);
    this.#write(n, d);
    const [out, isErr] = this.#result(this.#call(() => this.#exports.apostille_trust_add(n.length, d.length)));
    if (isErr) {
      const text = JSON.parse(out).error;
      // A refused signed bundle's text starts with its reason code
      // (docs/abi.md); other refusals carry none.
      const m = /^(trust_[a-z_]+): /.exec(text);
      throw new TrustError(`trust ${name}: ${text}`, m ? m[1] : undefined);
    }
  }

  /** Forgets all trust. */
  resetTrust() {
    this.#call(() => this.#exports.apostille_trust_reset());
  }

  /**
   * Verifies one document and returns the report JSON text: the same bytes
   * as the Go host and the native verifier.
   */
  verifyJSON(document, options = {}) {
    const doc = bytesOf(document);
    const payload = bytesOf(options.payload), proof = bytesOf(options.proof);
    const opts = encoder.encode(optionsJSON(options));
    this.#write(doc, payload, proof, opts);
    const packed = this.#call(() => this.#exports.apostille_verify(doc.length, payload.length, proof.length, opts.length));
    const [out, isErr] = this.#result(packed);
    if (isErr) throw new Error(`apostille: ${JSON.parse(out).error}`);
    return out;
  }

  /** Verifies one document and returns its report. */
  verify(document, options = {}) {
    return JSON.parse(this.verifyJSON(document, options));
  }

  #call(fn) {
    if (this.#dead) throw this.#dead;
    try {
      return fn();
    } catch (e) {
      // An exit or a trap leaves the Go runtime inside in an unknown
      // state: this instance is done; load another.
      this.#dead = e instanceof ModuleError ? e : new ModuleError(`the module failed: ${e.message}`);
      throw this.#dead;
    }
  }

  #memory() {
    return new Uint8Array(this.#exports.memory.buffer);
  }

  #write(...parts) {
    const n = parts.reduce((s, p) => s + p.length, 0);
    let ptr = this.#call(() => this.#exports.apostille_input(n)) >>> 0;
    const mem = this.#memory();
    for (const p of parts) {
      mem.set(p, ptr);
      ptr += p.length;
    }
  }

  #result(packed) {
    const ptr = Number(BigInt.asUintN(64, packed) >> 32n);
    const lenBits = BigInt.asUintN(32, packed);
    const len = Number(lenBits & ~ERROR_FLAG);
    return [decoder.decode(this.#memory().subarray(ptr, ptr + len)), (lenBits & ERROR_FLAG) !== 0n];
  }

  // The WASI functions the Go runtime imports. The module opens no file and
  // reads no environment; the clock and random numbers are real, and are
  // used by the Go runtime only, never to decide (the time comes with each
  // document).
  #wasi() {
    const view = () => new DataView(this.#exports.memory.buffer);
    const zero2 = (a, b) => {
      const v = view();
      v.setUint32(a, 0, true);
      v.setUint32(b, 0, true);
      return ESUCCESS;
    };
    const now = (id) => (id === 0 ? BigInt(Date.now()) * 1000000n : BigInt(Math.round(performance.now() * 1e6)));
    let tail = "";
    return {
      args_sizes_get: zero2,
      args_get: () => ESUCCESS,
      environ_sizes_get: zero2,
      environ_get: () => ESUCCESS,
      clock_time_get: (id, _precision, out) => {
        view().setBigUint64(out, now(id), true);
        return ESUCCESS;
      },
      random_get: (ptr, len) => {
        const mem = this.#memory();
        for (let i = 0; i < len; i += 65536) crypto.getRandomValues(mem.subarray(ptr + i, ptr + Math.min(len, i + 65536)));
        return ESUCCESS;
      },
      fd_write: (fd, iovs, iovsLen, nwritten) => {
        if (fd !== 1 && fd !== 2) return EBADF;
        const v = view(), mem = this.#memory();
        let n = 0;
        for (let i = 0; i < iovsLen; i++) {
          const p = v.getUint32(iovs + i * 8, true), l = v.getUint32(iovs + i * 8 + 4, true);
          const text = decoder.decode(mem.subarray(p, p + l));
          tail = (tail + text).slice(-4096);
          this.#stderr(text);
          n += l;
        }
        v.setUint32(nwritten, n, true);
        return ESUCCESS;
      },
      fd_fdstat_get: (fd, out) => {
        if (fd > 2) return EBADF;
        const v = view();
        for (let i = 0; i < 24; i += 4) v.setUint32(out + i, 0, true);
        v.setUint8(out, 2); // character device
        return ESUCCESS;
      },
      // No preopened directories: the Go runtime then opens no file.
      fd_prestat_get: () => EBADF,
      fd_prestat_dir_name: () => EBADF,
      proc_exit: (code) => {
        throw new ModuleError(`the module exited with code ${code}` + (tail.includes("out of memory") ? " (out of memory)" : ""), code);
      },
      sched_yield: () => ESUCCESS,
      // The Go runtime sleeps through poll_oneoff only when all its
      // goroutines wait, which a reactor between calls never does in a
      // way that matters: report every subscription as due at once.
      poll_oneoff: (inPtr, outPtr, nsubs, nevents) => {
        const v = view();
        for (let i = 0; i < nsubs; i++) {
          const sub = inPtr + i * 48, ev = outPtr + i * 32;
          v.setBigUint64(ev, v.getBigUint64(sub, true), true); // userdata
          v.setUint16(ev + 8, ESUCCESS, true); // error
          v.setUint8(ev + 10, v.getUint8(sub + 8)); // type
          for (let k = 11; k < 32; k++) v.setUint8(ev + k, 0);
        }
        v.setUint32(nevents, nsubs, true);
        return ESUCCESS;
      },
      fd_close: () => EBADF,
      fd_read: () => EBADF,
      fd_readdir: () => EBADF,
      fd_filestat_get: () => EBADF,
      fd_fdstat_set_flags: () => EBADF,
      path_filestat_get: () => ENOSYS,
      path_readlink: () => ENOSYS,
      path_open: () => ENOSYS,
    };
  }
}

/**
 * The options JSON of docs/abi.md, as the Go host writes it (wasm/abi):
 * members at their zero value are left out, byte values are base64. A
 * test sends every member through this and the Go host and requires the
 * native verifier's report (wasm/js/test/options.test.mjs).
 */
function optionsJSON(o) {
  const out = {};
  const bytes = (b) => (b == null ? "" : base64(bytesOf(b)));
  if (o.at != null) out.at = (o.at instanceof Date ? o.at : new Date(o.at)).toISOString();
  if (o.format) out.format = o.format;
  if (o.maxSize > 0) out.max_size = o.maxSize;
  if (o.clockSkewSeconds != null) out.clock_skew_seconds = Math.max(0, o.clockSkewSeconds);
  if (bytes(o.externalAAD)) out.external_aad = bytes(o.externalAAD);
  if (o.holder) {
    const h = o.holder, holder = {};
    if (h.audience) holder.audience = h.audience;
    if (h.nonce) holder.nonce = h.nonce;
    if (h.requireBinding) holder.require_binding = true;
    if (bytes(h.sessionTranscript)) holder.session_transcript = bytes(h.sessionTranscript);
    if (bytes(h.readerKey)) holder.reader_key = bytes(h.readerKey);
    if (Object.keys(holder).length) out.holder = holder;
  }
  if (o.statusLists?.length) out.status_lists = o.statusLists.map(bytes);
  if (o.acceptStaleTrustUnsafe) out.accept_stale_trust_unsafe = true;
  return JSON.stringify(out);
}
