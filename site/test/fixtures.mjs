// Test inputs made from the demo world at test time: QR code pictures, PDFs
// carrying a QR code or an attached document, a fake camera feed, editions
// of the demo trust list signed with the demo operator's key, and the demo's
// status lists served at their addresses.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import zlib from 'node:zlib';
import QRCode from 'qrcode';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { SITE, BIN } from './harness.mjs';

export const demoDir = path.join(SITE, 'demo');
export const manifest = () => JSON.parse(fs.readFileSync(path.join(demoDir, 'manifest.json'), 'utf8'));

/**
 * sample returns the first demo sample with this verdict and reason (and
 * format), with its bytes. standalone asks for one that needs no proof
 * beside it and gets no warning: what a person holds when they have only
 * the document.
 */
export function sample(verdict, reason = '', format = '', standalone = false) {
  const s = manifest().samples.find((x) => x.verdict === verdict && (x.reason || '') === reason &&
    (!format || x.format.startsWith(format)) &&
    (!standalone || (!x.proof && !(x.warnings || []).length)));
  if (!s) throw new Error(`no demo sample ${verdict}/${reason}/${format}`);
  return { ...s, bytes: fs.readFileSync(path.join(demoDir, s.file)) };
}

/** sampleFile returns the demo sample whose file ends with name, with its bytes. */
export function sampleFile(name) {
  const s = manifest().samples.find((x) => x.file.endsWith('/' + name));
  if (!s) throw new Error(`no demo sample ${name}`);
  return { ...s, bytes: fs.readFileSync(path.join(demoDir, s.file)) };
}

export const valid = () => sample('valid', '', 'jws', true);
export const tampered = () => sample('invalid', 'signature_invalid', 'jws', true);

export function tmpdir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'apostille-fixtures-'));
}

/** qrPNG draws bytes as a QR code (byte mode) in a PNG. */
export async function qrPNG(bytes, scale = 4) {
  return QRCode.toBuffer([{ data: Buffer.from(bytes), mode: 'byte' }], { type: 'png', scale, margin: 4, errorCorrectionLevel: 'L' });
}

/** pdfWithQR makes a one-page A4 PDF with text and a QR code of bytes. */
export async function pdfWithQR(bytes) {
  const pdf = await PDFDocument.create();
  const page = pdf.addPage([595, 842]);
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  page.drawText('Certificate of residence (test)', { x: 50, y: 780, size: 18, font });
  page.drawText('Scan the code to check this document.', { x: 50, y: 750, size: 11, font });
  const png = await pdf.embedPng(await qrPNG(bytes, 4));
  page.drawImage(png, { x: 50, y: 400, width: 300, height: 300 });
  return Buffer.from(await pdf.save({ useObjectStreams: false }));
}

/** pdfWithAttachment makes a PDF with bytes attached as a file. */
export async function pdfWithAttachment(bytes, name) {
  const pdf = await PDFDocument.create();
  const page = pdf.addPage([595, 842]);
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  page.drawText('The signed document is attached to this PDF.', { x: 50, y: 780, size: 14, font });
  await pdf.attach(Buffer.from(bytes), name, { mimeType: 'application/jwt', description: 'signed document' });
  return Buffer.from(await pdf.save());
}

/**
 * cameraY4M writes a short YUV4MPEG2 video of a QR code for Chromium's fake
 * camera (--use-file-for-fake-video-capture).
 */
export function cameraY4M(bytes, file) {
  const qr = QRCode.create([{ data: Buffer.from(bytes), mode: 'byte' }], { errorCorrectionLevel: 'L' });
  const n = qr.modules.size;
  const W = 1280;
  const H = 720;
  const mod = Math.floor((H - 40) / (n + 8));
  const off = [Math.floor((W - mod * n) / 2), Math.floor((H - mod * n) / 2)];
  const y = Buffer.alloc(W * H, 235);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (!qr.modules.get(r, c)) continue;
      for (let dy = 0; dy < mod; dy++) {
        const row = (off[1] + r * mod + dy) * W + off[0] + c * mod;
        y.fill(16, row, row + mod);
      }
    }
  }
  const uv = Buffer.alloc((W / 2) * (H / 2) * 2, 128);
  const frames = [];
  for (let i = 0; i < 3; i++) frames.push(Buffer.from('FRAME\n'), y, uv);
  fs.writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`), ...frames]));
  return file;
}

/**
 * demoOperator makes the demo world again with its operator's private key
 * (`apostille demo --operator-key`), to sign editions of its trust list
 * that the page's pinned key verifies. bundle is the unsigned trust.json, publicKey the pinned key.
 */
export function demoOperator() {
  const dir = tmpdir();
  const key = path.join(dir, 'operator.key');
  const world = path.join(dir, 'world');
  execFileSync(BIN, ['demo', '--operator-key', key, world], { stdio: 'ignore' });
  return { dir, key, world, publicKey: path.join(world, 'operator.pub.jwk'), bundle: JSON.parse(fs.readFileSync(path.join(world, 'trust.json'), 'utf8')) };
}

/** otherOperatorKey makes an operator key the page does not pin. */
export function otherOperatorKey(op) {
  const prefix = path.join(op.dir, 'other-operator');
  if (!fs.existsSync(prefix + '.key')) execFileSync(BIN, ['trust', 'keygen', '--out', prefix], { stdio: 'ignore' });
  return prefix + '.key';
}

/** The demo trust list without the status lists it ships: the page must fetch them. */
export function withoutStatusLists(bundle) {
  const b = { ...bundle };
  delete b.status_lists;
  return b;
}

/**
 * signEdition signs bundle as edition sequence with `apostille trust sign`
 * (issued at, valid for) and returns {file, bytes}.
 */
export function signEdition(op, { sequence, bundle = op.bundle, key = op.key, at = '2026-01-15T09:00:00Z', validFor = '87600h', name = `edition-${sequence}` }) {
  const src = path.join(op.dir, `${name}.json`);
  const file = path.join(op.dir, `${name}.jws`);
  fs.writeFileSync(src, JSON.stringify(bundle));
  execFileSync(BIN, ['trust', 'sign', '--key', key, '--sequence', String(sequence), '--at', at, '--valid-for', validFor, '--out', file, src], { stdio: 'ignore' });
  return { file, bytes: fs.readFileSync(file) };
}

const jwtPayload = (text) => JSON.parse(Buffer.from(String(text).trim().split('.')[1], 'base64url'));

/** claimsOf reads a JWT document's claims (the test's own reading, for assertions). */
export const claimsOf = (doc) => jwtPayload(doc.bytes);

/** statusLists are the demo's status lists: {uri, file} by the address each names. */
export function statusLists() {
  const dir = path.join(demoDir, 'status');
  return fs.readdirSync(dir).map((f) => ({ uri: jwtPayload(fs.readFileSync(path.join(dir, f))).sub, file: `demo/status/${f}` }));
}

/**
 * serveStatusLists answers the demo's status list addresses (https, on the
 * issuer's host) in the browser context ctx with the files the test server
 * srv serves from the demo's status/ folder, as an issuer's server would
 * (with the CORS header a page on another site needs from a real server;
 * Playwright lets a routed answer through CORS either way). abort makes
 * them unreachable instead. It returns the requests to those addresses.
 */
export async function serveStatusLists(ctx, srv, { abort = false } = {}) {
  const requests = [];
  for (const l of statusLists()) {
    await ctx.route(l.uri, async (route) => {
      requests.push(route.request());
      if (abort) return route.abort('internetdisconnected');
      const res = await route.fetch({ url: new URL(l.file, srv.url).href, headers: {} });
      return route.fulfill({ response: res, headers: { 'content-type': 'application/statuslist+jwt', 'access-control-allow-origin': '*' } });
    });
  }
  return requests;
}

/**
 * zipOf writes a ZIP archive of [name, bytes, deflate] entries in order,
 * stored unless deflate is true, with no data descriptors: what a test
 * needs to make a DigiDoc container of its own.
 */
export function zipOf(files) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, data, deflate] of files) {
    const n = Buffer.from(name);
    const body = deflate ? zlib.deflateRawSync(data) : data;
    const crc = zlib.crc32(data);
    const head = (size, sig) => {
      const b = Buffer.alloc(size);
      b.writeUInt32LE(sig, 0);
      return b;
    };
    const local = head(30, 0x04034b50);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const central = head(46, 0x02014b50);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(n.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, n, body);
    centrals.push(central, n);
    offset += 30 + n.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
