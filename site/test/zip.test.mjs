// The page's ZIP reader (src/zip.js), in Node: it finds one entry by name,
// stored or deflated, gives exactly the bytes written, and refuses an entry
// that is missing, named twice, of another size than the report's, or that
// inflates beyond the size it declares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { readEntry, entries, sha256Hex } from '../src/zip.js';
import { zipOf } from './fixtures.mjs';

const text = Buffer.from('Üürileping\n'.repeat(50));
const rnd = crypto.randomBytes(5000);

test('stored and deflated entries read back exactly', async () => {
  const zip = zipOf([['mimetype', Buffer.from('application/vnd.etsi.asic-e+zip')], ['a.txt', text, true], ['dir/b.bin', rnd]]);
  assert.deepEqual(entries(zip).map((e) => e.name), ['mimetype', 'a.txt', 'dir/b.bin']);
  assert.ok(Buffer.from(await readEntry(zip, 'a.txt', text.length)).equals(text));
  assert.ok(Buffer.from(await readEntry(zip, 'dir/b.bin', rnd.length)).equals(rnd));
  assert.equal(await sha256Hex(rnd), crypto.createHash('sha256').update(rnd).digest('hex'));
});

test('what the reader refuses', async () => {
  const zip = zipOf([['a.txt', text, true], ['b.bin', rnd]]);
  await assert.rejects(readEntry(zip, 'c.txt', 1), { code: 'not_found' });
  await assert.rejects(readEntry(zip, 'b.bin', rnd.length - 1), { code: 'size' });
  await assert.rejects(readEntry(zipOf([['a.txt', text], ['a.txt', text]]), 'a.txt', text.length), { code: 'not_found' });
  // A header that says fewer bytes than the entry inflates to.
  const lying = zipOf([['a.txt', text, true]]);
  const cd = lying.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  lying.writeUInt32LE(10, cd + 24);
  await assert.rejects(readEntry(lying, 'a.txt', 10), { code: 'too_long' });
  await assert.rejects(readEntry(Buffer.from('not a zip at all, not at all'), 'a.txt', 1), { code: 'no_end' });
});
