// Signed trust bundles through the ES module: the demo world's trust.jws
// verifies with the demo operator's pinned key and is refused with another
// key, with one byte changed, or with no key pinned. `make js-test` writes
// the demo world (`apostille demo`) and another operator key
// (`apostille trust keygen`) into build/js-demo.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { load, TrustError } from "../apostille.mjs";

const root = new URL("../../../", import.meta.url);
const demo = process.env.APOSTILLE_JS_DEMO ? new URL(process.env.APOSTILLE_JS_DEMO.replace(/\/?$/, "/"), `file://${process.cwd()}/`) : new URL("build/js-demo/", root);
const read = (f) => readFile(new URL(f, demo));
const module = await WebAssembly.compile(await readFile(new URL("../apostille.wasm", import.meta.url)));
const manifest = JSON.parse(await read("manifest.json"));
const signed = await read(manifest.signed_trust);
const operatorKey = await read(manifest.operator_key);
const otherKey = await read("other.pub.jwk");
// Within the demo world's validity (2026-01-15 to 2036-01-15).
const at = "2026-11-27T12:00:00Z";
const revoked = manifest.samples.find((s) => s.reason === "revoked");

async function refusal(opts) {
  try {
    await load(module, opts);
  } catch (e) {
    assert.ok(e instanceof TrustError, `${e}`);
    return e.reason;
  }
  return "accepted";
}

test("the demo's signed bundle verifies with its pinned operator key", async () => {
  const v = await load(module, { operatorKeys: [operatorKey], trust: [{ name: "trust.jws", data: signed }] });
  // Every sample decides as the demo lists it, with the bundle saying who decided.
  for (const s of manifest.samples) {
    const r = v.verify(await read(s.file), { at, proof: s.proof ? await read(s.proof) : undefined, payload: s.payload ? await read(s.payload) : undefined });
    assert.equal(`${r.verdict}/${r.reason ?? ""}`, `${s.verdict}/${s.reason ?? ""}`, s.file);
    assert.equal(r.trust.signed, true, s.file);
    assert.equal(r.trust.sequence, 1);
    assert.equal(r.trust.operator_key, JSON.parse(operatorKey).kid);
  }
  // The key as an object, pinned by the method, works as well.
  const w = await load(module);
  w.addOperatorKey(JSON.parse(operatorKey));
  w.addTrust("trust.jws", signed);
  assert.equal(w.verify(await read(revoked.file), { at }).reason, "revoked");
});

test("the signed bundle is refused with another operator key", async () => {
  assert.equal(await refusal({ operatorKeys: [otherKey], trust: [{ name: "trust.jws", data: signed }] }), "trust_invalid");
  // Another key under the demo key's kid: the signature does not verify.
  const impostor = { ...JSON.parse(otherKey), kid: JSON.parse(operatorKey).kid };
  assert.equal(await refusal({ operatorKeys: [impostor], trust: [{ name: "trust.jws", data: signed }] }), "trust_invalid");
  assert.equal(await refusal({ trust: [{ name: "trust.jws", data: signed }] }), "trust_invalid", "no key pinned");
});

test("one changed byte of the signed bundle is refused", async () => {
  const text = signed.toString().trim();
  const [h, p, s] = text.split(".");
  const flip = (part, i) => part.slice(0, i) + (part[i] === "A" ? "B" : "A") + part.slice(i + 1);
  for (const bad of [`${h}.${flip(p, 40)}.${s}`, `${h}.${p}.${flip(s, 10)}`, `${flip(h, 5)}.${p}.${s}`]) {
    assert.equal(await refusal({ operatorKeys: [operatorKey], trust: [{ name: "trust.jws", data: bad }] }), "trust_invalid");
  }
});

test("a refused bundle adds nothing; trust already loaded stays", async () => {
  const v = await load(module, { operatorKeys: [otherKey] });
  assert.throws(() => v.addTrust("trust.jws", signed), (e) => e instanceof TrustError && e.reason === "trust_invalid");
  assert.equal(v.verify(await read(revoked.file), { at }).reason, "issuer_unknown");

  const w = await load(module, { operatorKeys: [operatorKey], trust: [{ name: "trust.jws", data: signed }] });
  assert.throws(() => w.addTrust("broken.jws", signed.toString().replace(/\.[^.]*$/, ".AAAA")), TrustError);
  assert.equal(w.verify(await read(revoked.file), { at }).reason, "revoked");
});

test("a bundle past its next_update decides nothing (trust_stale) unless accepted unsafely", async () => {
  const v = await load(module, { operatorKeys: [operatorKey], trust: [{ name: "trust.jws", data: signed }] });
  const late = "2036-02-01T00:00:00Z";
  const doc = await read(manifest.samples[0].file);
  const r = v.verify(doc, { at: late });
  assert.equal(r.verdict, "indeterminate");
  assert.equal(r.reason, "trust_stale");
  const u = v.verify(doc, { at: late, acceptStaleTrustUnsafe: true });
  assert.equal(u.trust.stale_accepted_unsafe, true);
  assert.ok(u.warnings.some((w) => w.reason === "trust_stale"));
});

test("a status list handed in decides a revoked document", async () => {
  // The unsigned bundle without the status list it ships: the module
  // cannot know the status until the host hands the list in.
  const bundle = JSON.parse(await read(manifest.trust));
  const list = bundle.status_lists[0];
  delete bundle.status_lists;
  const v = await load(module, { trust: [{ name: "trust.json", data: JSON.stringify(bundle) }] });
  const doc = await read(revoked.file);
  const without = v.verify(doc, { at });
  assert.equal(without.reason, "status_unknown");
  assert.equal(without.document.claims.status.status_list.uri, JSON.parse(Buffer.from(list.split(".")[1], "base64url")).sub);
  const withList = v.verify(doc, { at, statusLists: [list] });
  assert.equal(withList.verdict, "invalid");
  assert.equal(withList.reason, "revoked");
});
