// Reads one entry of a ZIP archive (a DigiDoc container) in the page, so
// that a person can open or save a data file without it leaving the device.
// The module already judged the container and reported each data file's
// name, size and SHA-256; this reader only has to find the entry and
// inflate it, and the caller offers the bytes only when their SHA-256 is
// the report's. Stored and deflated entries (what ASiC writers use), no
// ZIP64, no encryption; inflating stops at the size the report gives, so a
// lying header cannot make the page allocate more.

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function u16(b, i) { return b[i] | (b[i + 1] << 8); }
function u32(b, i) { return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0; }

/** ZipError says why an entry is not given, by a stable code. */
export class ZipError extends Error {
  constructor(code) {
    super(`zip: ${code}`);
    this.code = code;
  }
}

/** findEnd returns the offset of the end-of-central-directory record. */
function findEnd(b) {
  const stop = Math.max(0, b.length - 22 - 0xffff);
  for (let i = b.length - 22; i >= stop; i--) {
    if (u32(b, i) === EOCD) return i;
  }
  throw new ZipError('no_end');
}

/** entries lists the central directory: name, method, sizes, local offset. */
export function entries(bytes) {
  const b = bytes;
  const end = findEnd(b);
  const count = u16(b, end + 10);
  let p = u32(b, end + 16);
  const dec = new TextDecoder('utf-8', { fatal: false });
  const out = [];
  for (let n = 0; n < count; n++) {
    if (p + 46 > b.length || u32(b, p) !== CENTRAL) throw new ZipError('bad_directory');
    const nameLen = u16(b, p + 28);
    const extraLen = u16(b, p + 30);
    const commentLen = u16(b, p + 32);
    out.push({
      flags: u16(b, p + 8),
      method: u16(b, p + 10),
      csize: u32(b, p + 20),
      usize: u32(b, p + 24),
      offset: u32(b, p + 42),
      name: dec.decode(b.subarray(p + 46, p + 46 + nameLen)),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/**
 * readEntry returns the bytes of the entry named name, which must be size
 * bytes long (the report's size); it throws on anything else.
 */
export async function readEntry(bytes, name, size) {
  const hits = entries(bytes).filter((e) => e.name === name);
  if (hits.length !== 1) throw new ZipError('not_found');
  const e = hits[0];
  if (e.flags & 1) throw new ZipError('encrypted');
  if (e.csize === 0xffffffff || e.usize === 0xffffffff || e.offset === 0xffffffff) throw new ZipError('zip64');
  if (e.usize !== size) throw new ZipError('size');
  const p = e.offset;
  if (p + 30 > bytes.length || u32(bytes, p) !== LOCAL) throw new ZipError('bad_local_header');
  const start = p + 30 + u16(bytes, p + 26) + u16(bytes, p + 28);
  if (start + e.csize > bytes.length) throw new ZipError('truncated');
  const data = bytes.subarray(start, start + e.csize);
  if (e.method === 0) {
    if (e.csize !== size) throw new ZipError('size');
    return data.slice();
  }
  if (e.method !== 8) throw new ZipError('method');
  return inflate(data, size);
}

async function inflate(data, size) {
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  const reader = stream.getReader();
  const out = new Uint8Array(size);
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (n + value.length > size) {
      await reader.cancel();
      throw new ZipError('too_long');
    }
    out.set(value, n);
    n += value.length;
  }
  if (n !== size) throw new ZipError('too_short');
  return out;
}

/** sha256Hex is the lowercase hex SHA-256 of bytes. */
export async function sha256Hex(bytes) {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...d].map((x) => x.toString(16).padStart(2, '0')).join('');
}
