// The fixtures the tests share: the corpus with the Go host's reports and
// the option cases with the native verifier's (internal/cmd/wasmfixtures,
// which `make js-test` runs first), and the module they were made with.
import { readFile } from "node:fs/promises";

const root = new URL("../../../", import.meta.url);
const fixturesURL = process.env.APOSTILLE_FIXTURES ? new URL(process.env.APOSTILLE_FIXTURES, `file://${process.cwd()}/`) : new URL("build/js-fixtures.json", root);
export const fixtures = JSON.parse(await readFile(fixturesURL, "utf8"));
export const module = await WebAssembly.compile(await readFile(new URL("../apostille.wasm", import.meta.url)));

/** b64 decodes a fixture's byte value (base64); undefined stays undefined. */
export const b64 = (s) => (s ? Buffer.from(s, "base64") : undefined);

/** trustOf is a set's trust as load() takes it. */
export const trustOf = (set) => set.trust.map((t) => ({ name: t.name, data: b64(t.data) }));

/**
 * optionsOf turns a case's options (byte values base64 in the fixtures)
 * into verify()'s VerifyOptions.
 */
export function optionsOf(o = {}) {
  const out = { ...o };
  for (const k of ["payload", "proof", "externalAAD"]) if (o[k] != null) out[k] = b64(o[k]);
  if (o.statusLists) out.statusLists = o.statusLists.map(b64);
  if (o.holder) {
    out.holder = { ...o.holder };
    for (const k of ["sessionTranscript", "readerKey"]) if (o.holder[k] != null) out.holder[k] = b64(o.holder[k]);
  }
  return out;
}
