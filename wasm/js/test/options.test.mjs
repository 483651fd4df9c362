// Every option of VerifyOptions goes through this loader's encoder and the
// module, and must give the native verifier's report: the option cases of
// internal/corpus (corpus.OptionSets), each where its options decide
// something, written with the native reports by internal/cmd/wasmfixtures.
// The Go host is held to the same cases (wasm/host TestOptionsDifferential).
import { test } from "node:test";
import assert from "node:assert/strict";
import { load } from "../apostille.mjs";
import { fixtures, module, b64, trustOf, optionsOf } from "./fixtures.mjs";

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
      trust: trustOf(set),
    });
    for (const c of set.cases) {
      assert.equal(v.verifyJSON(b64(c.doc), optionsOf(c.options)), c.report, c.name);
    }
  });
}
