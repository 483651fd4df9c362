// Translation completeness, shared by the build (which refuses to build an
// incomplete page) and the tests. The codes come from the verifier
// (internal/cmd/sitecodes), never from a hand-kept list.
import fs from 'node:fs';
import path from 'node:path';

export const LANGUAGES = ['en', 'et', 'fr', 'de'];
export const VERDICTS = ['valid', 'warnings', 'invalid', 'indeterminate'];
export const STATUSES = ['passed', 'failed', 'indeterminate', 'skipped'];

const text = (v) => typeof v === 'string' && v.trim() !== '';

/** missingTranslations lists "LANG: key" for every string a language lacks. */
export function missingTranslations(codes, dir) {
  const dicts = Object.fromEntries(LANGUAGES.map((l) => [l, JSON.parse(fs.readFileSync(path.join(dir, `${l}.json`), 'utf8'))]));
  const missing = [];
  for (const [l, d] of Object.entries(dicts)) {
    for (const { code } of codes.reasons) {
      const r = (d.reasons || {})[code] || {};
      if (!text(r.explain)) missing.push(`${l}: reasons.${code}.explain`);
      if (!text(r.action)) missing.push(`${l}: reasons.${code}.action`);
    }
    for (const c of codes.checks) if (!text((d.checks || {})[c])) missing.push(`${l}: checks.${c}`);
    for (const v of VERDICTS) {
      const e = (d.verdict || {})[v] || {};
      if (!text(e.title) || !text(e.summary)) missing.push(`${l}: verdict.${v}`);
    }
    for (const s of STATUSES) if (!text((d.status || {})[s])) missing.push(`${l}: status.${s}`);
    for (const k of Object.keys(dicts.en.ui)) if (!text((d.ui || {})[k])) missing.push(`${l}: ui.${k}`);
    for (const k of Object.keys(dicts.en.doctypes)) if (!text((d.doctypes || {})[k])) missing.push(`${l}: doctypes.${k}`);
  }
  return missing;
}
