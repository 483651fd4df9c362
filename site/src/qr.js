// QR codes from pictures and video frames, with jsQR. A QR code carries
// the document itself (a token, an HC1: string); it is read on this device.
import jsQR from 'jsqr';

// Photos from phones are large; QR codes are found faster and as reliably
// at a bounded size. Several sizes are tried because jsQR's binariser
// prefers modules of a few pixels.
const SIZES = [1200, 800, 2000, 500];

function canvas(w, h) {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(w, h);
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  return c;
}

/** decodeImageData returns the QR code's bytes in an ImageData, or null. */
export function decodeImageData(img) {
  const code = jsQR(img.data, img.width, img.height, { inversionAttempts: 'attemptBoth' });
  if (!code) return null;
  // binaryData is the code's payload as bytes: right for byte mode and for
  // the alphanumeric mode DCCs use.
  return new Uint8Array(code.binaryData);
}

/** decodeDrawable tries a bitmap, canvas or video frame at several sizes. */
export function decodeDrawable(src, width, height) {
  const tried = new Set();
  for (const max of SIZES) {
    const scale = Math.min(1, max / Math.max(width, height));
    const w = Math.max(1, Math.round(width * scale));
    const h = Math.max(1, Math.round(height * scale));
    if (tried.has(w)) continue;
    tried.add(w);
    const c = canvas(w + 40, h + 40);
    const ctx = c.getContext('2d', { willReadFrequently: true });
    // A white quiet zone around the picture: scans are often cropped
    // right at the code's edge.
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w + 40, h + 40);
    ctx.imageSmoothingEnabled = scale < 1;
    ctx.drawImage(src, 20, 20, w, h);
    const found = decodeImageData(ctx.getImageData(0, 0, w + 40, h + 40));
    if (found) return found;
  }
  return null;
}

/** decodeImageBytes reads a QR code from an image file's bytes. */
export async function decodeImageBytes(bytes, type) {
  const bmp = await createImageBitmap(new Blob([bytes], { type: type || 'image/png' }));
  try {
    return decodeDrawable(bmp, bmp.width, bmp.height);
  } finally {
    bmp.close();
  }
}
