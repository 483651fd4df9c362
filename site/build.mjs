// Builds the citizen's page into a plain folder (default ../build/site) that
// any static host can serve. Run by `make site`; inputs come from the
// environment so that the Makefile decides where they are:
//
//   APOSTILLE_WASM     the module (bin/apostille.wasm)
//   APOSTILLE_WASM_JS  its ES module (wasm/js entry)
//   APOSTILLE_DEMO     the demo world (`apostille demo DIR`)
//   APOSTILLE_CODES    reason codes and check names (internal/cmd/sitecodes)
//   APOSTILLE_SITE_OUT output folder
//
// Nothing is fetched at run time from anywhere but the site itself: npm
// packages are bundled, pdf.js's worker and decoders are copied next to the
// page. The build pins the module: its SHA-384 goes into the page's script,
// whose own SHA-384 goes into index.html.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { brotliCompressSync, gzipSync, constants as zc } from 'node:zlib';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingTranslations } from './lib/i18ncheck.mjs';
import { CSP } from './lib/csp.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const env = (k, d) => path.resolve(root, process.env[k] || d);
const WASM = env('APOSTILLE_WASM', 'bin/apostille.wasm');
const WASM_JS = env('APOSTILLE_WASM_JS', 'wasm/js/apostille.mjs');
const DEMO = env('APOSTILLE_DEMO', 'build/demo-site');
const CODES = env('APOSTILLE_CODES', 'build/codes.json');
const OUT = env('APOSTILLE_SITE_OUT', 'build/site');

const digest = (alg, buf) => createHash(alg).update(buf).digest();
const sri = (buf) => 'sha384-' + digest('sha384', buf).toString('base64');
const short = (buf) => digest('sha256', buf).toString('hex').slice(0, 12);

function need(p, what) {
  if (!fs.existsSync(p)) {
    console.error(`site: ${what} not found at ${path.relative(root, p)}`);
    process.exit(1);
  }
}

function write(rel, data) {
  const p = path.join(OUT, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data);
}

function copyDir(src, dst, filter = () => true) {
  for (const e of fs.readdirSync(src, { withFileTypes: true })) {
    const s = path.join(src, e.name);
    if (e.isDirectory()) copyDir(s, path.join(dst, e.name), filter);
    else if (filter(e.name)) write(path.join(dst, e.name), fs.readFileSync(s));
  }
}

/** compressed writes NAME.br and NAME.gz next to NAME for the server to send. */
function compressed(rel, buf) {
  const br = brotliCompressSync(buf, {
    params: { [zc.BROTLI_PARAM_QUALITY]: 11, [zc.BROTLI_PARAM_SIZE_HINT]: buf.length },
  });
  const gz = gzipSync(buf, { level: 9 });
  write(rel + '.br', br);
  write(rel + '.gz', gz);
  return { raw: buf.length, gzip: gz.length, brotli: br.length };
}

function walk(dir, base = dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p, base));
    else out.push(path.relative(base, p).split(path.sep).join('/'));
  }
  return out.sort();
}

async function main() {
  need(WASM, 'the module (make wasm)');
  need(WASM_JS, "the module's ES module (wasm/js)");
  need(DEMO, 'the demo world (apostille demo)');
  need(CODES, 'the code list (internal/cmd/sitecodes)');

  const codes = JSON.parse(fs.readFileSync(CODES, 'utf8'));
  const missing = missingTranslations(codes, path.join(here, 'src/i18n'));
  if (missing.length) {
    console.error('site: missing translations:\n  ' + missing.join('\n  '));
    process.exit(1);
  }

  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(path.join(OUT, 'assets'), { recursive: true });

  // The module, content-addressed and precompressed.
  const wasm = fs.readFileSync(WASM);
  const wasmName = `assets/apostille.${short(wasm)}.wasm`;
  write(wasmName, wasm);
  const wasmSizes = compressed(wasmName, wasm);

  // pdf.js: worker and its own decoders, served from here.
  const pdfDir = path.join(here, 'node_modules/pdfjs-dist');
  const worker = fs.readFileSync(path.join(pdfDir, 'build/pdf.worker.min.mjs'));
  const workerName = `assets/pdf.worker.${short(worker)}.mjs`;
  write(workerName, worker);
  compressed(workerName, worker);
  const pdfWasmDir = 'assets/pdfjs-wasm/';
  copyDir(path.join(pdfDir, 'wasm'), pdfWasmDir, (n) => !n.startsWith('LICENSE'));

  const buildId = short(Buffer.concat([wasm, fs.readFileSync(path.join(here, 'package-lock.json'))]));
  const result = await build({
    entryPoints: { app: path.join(here, 'src/app.js'), style: path.join(here, 'src/style.css') },
    bundle: true,
    format: 'esm',
    splitting: true,
    minify: true,
    sourcemap: false,
    target: ['chrome111', 'firefox113', 'safari16.4'],
    outdir: path.join(OUT, 'assets'),
    entryNames: '[name].[hash]',
    chunkNames: 'chunk.[hash]',
    metafile: true,
    legalComments: 'linked',
    alias: { 'apostille-wasm': WASM_JS },
    // wasm/js reads files with node:fs only when it runs in Node; the
    // page always hands it a compiled module.
    external: ['node:*'],
    loader: { '.json': 'json' },
    define: {
      WASM_URL: JSON.stringify(wasmName),
      WASM_SHA384: JSON.stringify(sri(wasm)),
      PDF_WORKER_URL: JSON.stringify(workerName),
      PDF_WASM_URL: JSON.stringify(pdfWasmDir),
      BUILD_ID: JSON.stringify(buildId),
    },
    logLevel: 'warning',
  });
  let js = '';
  let css = '';
  for (const [file, meta] of Object.entries(result.metafile.outputs)) {
    const rel = path.relative(OUT, file).split(path.sep).join('/');
    if (meta.entryPoint && meta.entryPoint.endsWith('app.js')) js = rel;
    if (rel.endsWith('.css')) css = rel;
    if (rel.endsWith('.js')) compressed(rel, fs.readFileSync(file));
  }
  const jsBuf = fs.readFileSync(path.join(OUT, js));
  const cssBuf = fs.readFileSync(path.join(OUT, css));

  // The demo world: samples one click away, and the default trust list.
  copyDir(DEMO, 'demo');
  const man = JSON.parse(fs.readFileSync(path.join(DEMO, 'manifest.json'), 'utf8'));
  write('trust/default.json', fs.readFileSync(path.join(DEMO, man.trust || 'trust.json')));

  for (const f of ['manifest.webmanifest', 'icon.svg']) write(f, fs.readFileSync(path.join(here, 'src', f)));
  write('licences.txt', licences(pdfDir));

  const html = fs.readFileSync(path.join(here, 'src/index.html'), 'utf8')
    .replace('{{CSP}}', CSP)
    .replace('{{CSS}}', css).replace('{{CSS_SRI}}', sri(cssBuf))
    .replace('{{JS}}', js).replace('{{JS_SRI}}', sri(jsBuf))
    .replace('{{WASM}}', wasmName)
    .replace('{{BUILD_ID}}', buildId);
  write('index.html', html);

  // The service worker keeps every file but precompressed twins.
  const files = walk(OUT).filter((f) => !/\.(br|gz)$/.test(f) && f !== 'build-info.json');
  const version = short(Buffer.concat(files.map((f) => fs.readFileSync(path.join(OUT, f)))));
  const precache = ['./', ...files];
  const sw = `const VERSION = ${JSON.stringify(version)};\nconst FILES = ${JSON.stringify(precache)};\n` +
    fs.readFileSync(path.join(here, 'src/sw.js'), 'utf8');
  write('sw.js', sw);

  const info = {
    build: buildId,
    version,
    wasm: { file: wasmName, sha384: sri(wasm), ...wasmSizes },
    js: { file: js, sri: sri(jsBuf), raw: jsBuf.length },
    css: { file: css, sri: sri(cssBuf) },
    pdf_worker: workerName,
    files: files.length,
  };
  write('build-info.json', JSON.stringify(info, null, 2) + '\n');
  const kb = (n) => (n / 1024).toFixed(0) + ' KiB';
  console.log(`site: ${path.relative(root, OUT)}: ${files.length} files; module ${wasmName} ` +
    `raw ${kb(wasmSizes.raw)}, gzip ${kb(wasmSizes.gzip)}, brotli ${kb(wasmSizes.brotli)}; page script ${kb(jsBuf.length)}`);
}

function licences(pdfDir) {
  const parts = [
    ['Apostille', path.join(root, 'LICENSE')],
    ['jsQR (npm jsqr)', path.join(here, 'node_modules/jsqr/LICENSE')],
    ['PDF.js (npm pdfjs-dist)', path.join(pdfDir, 'LICENSE')],
  ];
  for (const f of fs.readdirSync(path.join(pdfDir, 'wasm')).filter((n) => n.startsWith('LICENSE')).sort()) {
    parts.push([`PDF.js decoders: ${f}`, path.join(pdfDir, 'wasm', f)]);
  }
  return parts
    .filter(([, p]) => fs.existsSync(p))
    .map(([name, p]) => `==== ${name} ====\n\n${fs.readFileSync(p, 'utf8').trim()}\n`)
    .join('\n');
}

main().catch((e) => {
  console.error('site:', e);
  process.exit(1);
});
