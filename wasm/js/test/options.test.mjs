// Every option of VerifyOptions goes through this loader's encoder and the
// module, and must give the native verifier's report: the option cases of
// internal/corpus (corpus.OptionSets), each where its options decide
// something, written with the native reports by internal/cmd/wasmfixtures.
// The Go host is held to the same cases (wasm/host TestOptionsDifferential).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { load } from "../apostille.mjs";

const root = new URL("../../../", import.meta.url);
const fixturesURL = process.env.APOSTILLE_FIXTURES ? new URL(process.env.APOSTILLE_FIXTURES, `file://${process.cwd()}/`) : new URL("build/js-fixtures.json", root);
const fixtures = JSON.parse(await readFile(fixturesURL, "utf8"));
const module = await WebAssembly.compile(await readFile(new URL("../apostille.wasm", import.meta.url)));
const b64 = (s) => Buffer.from(s, "base64");

// options turns the fixture's options (byte values as base64) into the
// loader's VerifyOptions.
function options(o) {
  const out = { ...o };
  for (const k of ["payload", "proof", "externalAAD"]) if (o[k] != null) out[k] = b64(o[k]);
  if (o.statusLists) out.statusLists = o.statusLists.map(b64);
  if (o.holder) {
    out.holder = { ...o.holder };
    for (const k of ["sessionTranscript", "readerKey"]) if (o.holder[k] != null) out.holder[k] = b64(o.holder[k]);
  }
  return out;
}

test("the option cases set every option", () => {
  const seen = new Set();
  for (const set of fixtures.option_sets) {
    for (const c of set.cases) {
      for (const [k, v] of Object.entries(c.options)) {
        if (k === "holder") for (const h of Object.keys(v)) seen.add(`holder.${h}`);
        else seen.add(k);
      }
    }
  }
  const all = ["at", "format", "payload", "proof", "maxSize", "clockSkewSeconds", "externalAAD", "statusLists", "acceptStaleTrustUnsafe",
    "holder.audience", "holder.nonce", "holder.requireBinding", "holder.sessionTranscript", "holder.readerKey"];
  assert.deepEqual(all.filter((k) => !seen.has(k)), []);
});

for (const set of fixtures.option_sets) {
  test(`${set.name}: every option gives the native report`, async () => {
    const v = await load(module, {
      operatorKeys: (set.operator_keys ?? []).map(b64),
      trust: set.trust.map((t) => ({ name: t.name, data: b64(t.data) })),
    });
    for (const c of set.cases) {
      assert.equal(v.verifyJSON(b64(c.doc), options(c.options)), c.report, c.name);
    }
  });
}
