// Every reason code and check name the verifier can report has words in
// every language. The list comes from the verifier (build/codes.json,
// written by internal/cmd/sitecodes from verifier.Reasons() and report.go).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingTranslations, LANGUAGES } from '../lib/i18ncheck.mjs';
import { ROOT } from './harness.mjs';

const i18n = fileURLToPath(new URL('../src/i18n', import.meta.url));
const codes = JSON.parse(fs.readFileSync(path.resolve(ROOT, process.env.APOSTILLE_CODES || 'build/codes.json'), 'utf8'));

test('the code list comes from the verifier and is not empty', () => {
  assert.ok(codes.reasons.length >= 30, `${codes.reasons.length} reason codes`);
  assert.ok(codes.reasons.some((r) => r.code === 'signature_invalid'));
  assert.ok(codes.checks.includes('signature'));
  const doc = fs.readFileSync(path.join(ROOT, 'docs/reasons.md'), 'utf8');
  for (const { code } of codes.reasons) assert.ok(doc.includes('`' + code + '`'), `${code} is in docs/reasons.md`);
});

test('every code, check, verdict and UI string is translated in every language', () => {
  assert.deepEqual(missingTranslations(codes, i18n), []);
});

test('a missing translation is caught', () => {
  // The check itself must be able to fail: drop one explanation in a copy.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'i18n-'));
  for (const l of LANGUAGES) fs.copyFileSync(path.join(i18n, `${l}.json`), path.join(dir, `${l}.json`));
  const et = JSON.parse(fs.readFileSync(path.join(dir, 'et.json'), 'utf8'));
  delete et.reasons.expired.action;
  delete et.checks.signature;
  fs.writeFileSync(path.join(dir, 'et.json'), JSON.stringify(et));
  assert.deepEqual(missingTranslations(codes, dir), ['et: reasons.expired.action', 'et: checks.signature']);
  const extra = { ...codes, reasons: [...codes.reasons, { code: 'brand_new_code', verdict: 'invalid' }] };
  assert.equal(missingTranslations(extra, i18n).filter((m) => m.includes('brand_new_code')).length, 8);
});

test('placeholders survive translation', () => {
  const en = JSON.parse(fs.readFileSync(path.join(i18n, 'en.json'), 'utf8'));
  const names = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
  for (const l of LANGUAGES) {
    const d = JSON.parse(fs.readFileSync(path.join(i18n, `${l}.json`), 'utf8'));
    for (const [k, v] of Object.entries(en.ui)) assert.equal(names(d.ui[k]), names(v), `${l}: ui.${k}`);
  }
});
