/** The smallest bytes that read as a PNG of `width` x `height` (signature and IHDR), zero-padded to `totalBytes`. */
export function testPng(width: number, height: number, totalBytes = 33): Buffer {
  const b = Buffer.alloc(Math.max(33, totalBytes));
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b;
}
