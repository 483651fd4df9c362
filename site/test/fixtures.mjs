// Test inputs made from the demo world at test time: QR code pictures, PDFs
// carrying a QR code or an attached document, and a fake camera feed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import QRCode from 'qrcode';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { SITE } from './harness.mjs';

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
