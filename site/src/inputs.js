// Ways in: every file, pasted text, picture, PDF or camera frame becomes a
// list of candidate documents ({source, bytes}) for the engine. What a
// document is, and whether it is genuine, is the module's business: this
// file only unwraps containers (pictures of QR codes, PDFs) that the module
// does not read.
// jsQR and pdf.js load only when a picture or PDF arrives: they are not on
// the way to the first verdict.
const qr = () => import('./qr.js');

const enc = new TextEncoder();

function startsWith(bytes, sig) {
  if (bytes.length < sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (bytes[i] !== sig[i]) return false;
  return true;
}

const PDF = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-
const IMAGES = [
  { type: 'image/png', sig: [0x89, 0x50, 0x4e, 0x47] },
  { type: 'image/jpeg', sig: [0xff, 0xd8, 0xff] },
  { type: 'image/gif', sig: [0x47, 0x49, 0x46, 0x38] },
  { type: 'image/webp', sig: [0x52, 0x49, 0x46, 0x46] },
  { type: 'image/bmp', sig: [0x42, 0x4d] },
];
const PROOF = enc.encode('c2sp.org/tlog-proof@v1\n');

export function isProof(bytes) {
  return startsWith(bytes, PROOF);
}

function imageType(bytes) {
  const hit = IMAGES.find((i) => startsWith(bytes, i.sig));
  return hit ? hit.type : '';
}

/**
 * fromFile unwraps one file into candidate documents. It returns
 * {items, problem}: problem is a UI message key when nothing was found.
 */
export async function fromFile(name, bytes) {
  if (startsWith(bytes, PDF)) {
    let found;
    try {
      const { readPDF } = await import('./pdf.js');
      found = await readPDF(bytes);
    } catch (e) {
      console.warn('pdf', e && e.name, e && e.message);
      return { items: [], problem: 'pdf_failed' };
    }
    const items = found.map((f) =>
      f.kind === 'qr'
        ? { source: ['from_pdf_qr', { page: f.page, name }], bytes: f.bytes }
        : { source: ['from_pdf_attachment', { file: f.file, name }], bytes: f.bytes, name: f.file },
    );
    // A picture attached to a PDF may be the QR code itself.
    return { items: await unwrapImages(items), problem: items.length ? '' : 'nothing_found' };
  }
  const type = imageType(bytes);
  if (type) {
    const { decodeImageBytes } = await qr();
    const code = await decodeImageBytes(bytes, type).catch(() => null);
    if (!code) return { items: [], problem: 'qr_not_found' };
    return { items: [{ source: ['from_qr', { name }], bytes: code }], problem: '' };
  }
  return { items: [{ source: ['from_file', { name }], bytes, name }], problem: '' };
}

async function unwrapImages(items) {
  const out = [];
  for (const it of items) {
    const type = imageType(it.bytes);
    if (!type) {
      out.push(it);
      continue;
    }
    const { decodeImageBytes } = await qr();
    const code = await decodeImageBytes(it.bytes, type).catch(() => null);
    if (code) out.push({ source: it.source, bytes: code });
  }
  return out;
}

/** fromText takes pasted text: surrounding white space is not part of a token. */
export function fromText(text) {
  const s = text.trim();
  if (!s) return [];
  return [{ source: ['from_paste', {}], bytes: enc.encode(s) }];
}

/**
 * Camera scans video frames for a QR code until one is found or it is
 * stopped. Frames are read on this device; nothing is recorded or sent.
 */
export class Camera {
  constructor(video) {
    this.video = video;
    this.stream = null;
    this.timer = 0;
  }

  static available() {
    return !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  }

  async start(onCode) {
    const { decodeDrawable } = await qr();
    this.stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: 'environment' } },
      audio: false,
    });
    this.video.srcObject = this.stream;
    await this.video.play();
    const tick = () => {
      if (!this.stream) return;
      const v = this.video;
      if (v.videoWidth > 0) {
        const code = decodeDrawable(v, v.videoWidth, v.videoHeight);
        if (code) {
          this.stop();
          onCode({ source: ['from_camera', {}], bytes: code });
          return;
        }
      }
      this.timer = setTimeout(tick, 150);
    };
    tick();
  }

  stop() {
    clearTimeout(this.timer);
    if (this.stream) for (const tr of this.stream.getTracks()) tr.stop();
    this.stream = null;
    this.video.srcObject = null;
  }
}
