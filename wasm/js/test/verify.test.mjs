// The ES module must give the same report bytes as the Go host, on every
// document of the corpus (internal/corpus, written with the Go host's
// reports by internal/cmd/wasmfixtures). `make js-test` prepares both files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { WASI } from "@bjorn3/browser_wasi_shim";
import { load, Verifier, ABI_VERSION } from "../apostille.mjs";
import { fixtures, module, b64, trustOf, optionsOf } from "./fixtures.mjs";

test("the fixtures cover the corpus", () => {
  const n = fixtures.sets.reduce((s, set) => s + set.cases.length, 0);
  assert.ok(n >= 50, `only ${n} documents`);
});

for (const set of fixtures.sets) {
  test(`${set.name}: reports are the Go host's bytes`, async () => {
    const v = await load(module, { trust: trustOf(set) });
    for (const c of set.cases) {
      const got = v.verifyJSON(b64(c.doc) ?? new Uint8Array(0), { at: fixtures.at, payload: b64(c.payload), ...optionsOf(c.options) });
      assert.equal(got, c.report, c.name);
    }
  });
}

// The hand-written WASI imports must not change a report: the same module
// under @bjorn3/browser_wasi_shim, a complete WASI implementation, gives
// the same bytes.
test("hand-written WASI imports agree with browser_wasi_shim", () => {
  const set = fixtures.sets[0];
  const wasi = new WASI([], [], []);
  const inst = new WebAssembly.Instance(module, {
    wasi_snapshot_preview1: wasi.wasiImport,
    apostille_host: { verify_signature: () => 2, hash_update: () => -1 },
  });
  wasi.initialize(inst);
  const x = inst.exports;
  assert.equal(x.apostille_abi_version(), ABI_VERSION);
  const enc = new TextEncoder();
  const write = (...parts) => {
    const n = parts.reduce((s, p) => s + p.length, 0);
    let p = x.apostille_input(n) >>> 0;
    for (const part of parts) {
      new Uint8Array(x.memory.buffer).set(part, p);
      p += part.length;
    }
  };
  const read = (packed) => {
    const ptr = Number(BigInt.asUintN(64, packed) >> 32n);
    const len = Number(BigInt.asUintN(32, packed) & 0x7fffffffn);
    return new TextDecoder().decode(new Uint8Array(x.memory.buffer, ptr, len));
  };
  for (const t of trustOf(set)) {
    const name = enc.encode(t.name);
    write(name, t.data);
    assert.equal(read(x.apostille_trust_add(name.length, t.data.length)), '{"ok":true}');
  }
  const opts = enc.encode(JSON.stringify({ at: new Date(fixtures.at).toISOString() }));
  for (const c of set.cases) {
    const doc = b64(c.doc) ?? new Uint8Array(0), payload = b64(c.payload) ?? new Uint8Array(0);
    write(doc, payload, opts);
    assert.equal(read(x.apostille_verify(doc.length, payload.length, 0, opts.length)), c.report, c.name);
  }
});

test("without a verification time the verdict is indeterminate (time_missing)", async () => {
  const v = await load(module, { trust: trustOf(fixtures.sets[0]) });
  const r = v.verify(b64(fixtures.sets[0].cases[0].doc));
  assert.equal(r.verdict, "indeterminate");
  assert.equal(r.reason, "time_missing");
});

test("bad trust is refused at load", async () => {
  await assert.rejects(load(module, { trust: [{ name: "bad.json", data: "{}" }] }), /trust bad\.json/);
});

test("bad options are refused, not judged", async () => {
  const v = new Verifier(module);
  assert.throws(() => v.verifyJSON("x", { at: "yesterday" }));
});

test("the default source is the apostille.wasm beside the module", async () => {
  const v = await load();
  const set = fixtures.sets[0];
  v.addTrust(set.trust[0].name, b64(set.trust[0].data));
  assert.equal(v.verifyJSON(b64(set.cases[0].doc), { at: fixtures.at }), set.cases[0].report);
});
