// PDFs: a QR code printed on a page, or a signed file attached to the PDF.
// pdf.js runs from this site only: its worker and its own WebAssembly
// decoders are served next to the page (PDF_WORKER_URL, PDF_WASM_URL), so
// nothing is fetched from elsewhere, and eval is off for the CSP.
import { decodeDrawable } from './qr.js';

/* global PDF_WORKER_URL, PDF_WASM_URL */

const MAX_PAGES = 10;

let pdfjs;
async function lib() {
  if (!pdfjs) {
    pdfjs = await import('pdfjs-dist');
    pdfjs.GlobalWorkerOptions.workerSrc = new URL(PDF_WORKER_URL, document.baseURI).href;
  }
  return pdfjs;
}

/**
 * readPDF returns what a PDF carries: [{kind: 'attachment', file, bytes}]
 * for each embedded file and [{kind: 'qr', page, bytes}] for a QR code found
 * on one of its first pages.
 */
export async function readPDF(bytes) {
  const { getDocument } = await lib();
  const task = getDocument({
    data: bytes.slice(),
    isEvalSupported: false,
    enableXfa: false,
    wasmUrl: new URL(PDF_WASM_URL, document.baseURI).href,
  });
  const doc = await task.promise;
  const found = [];
  try {
    const attachments = (await doc.getAttachments()) || {};
    for (const a of Object.values(attachments)) {
      if (a && a.content && a.content.length) {
        found.push({ kind: 'attachment', file: a.filename || '', bytes: new Uint8Array(a.content) });
      }
    }
    const pages = Math.min(doc.numPages, MAX_PAGES);
    for (let n = 1; n <= pages; n++) {
      const page = await doc.getPage(n);
      // About 200 dpi: enough for a QR code printed at a usual size.
      const viewport = page.getViewport({ scale: 2.8 });
      const c = document.createElement('canvas');
      c.width = Math.ceil(viewport.width);
      c.height = Math.ceil(viewport.height);
      await page.render({ canvas: c, canvasContext: c.getContext('2d'), viewport }).promise;
      const qr = decodeDrawable(c, c.width, c.height);
      page.cleanup();
      if (qr) found.push({ kind: 'qr', page: n, bytes: qr });
    }
  } finally {
    await task.destroy();
  }
  return found;
}
