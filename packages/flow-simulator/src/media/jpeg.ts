import { BitWriter } from './bit-writer';

/**
 * A small, real baseline JPEG (64x36, YCbCr 4:4:4) written by hand. Every 8x8 block is flat, so
 * only DC coefficients are coded: the AC table needs a single symbol, end-of-block.
 */

const WIDTH = 64;
const HEIGHT = 36;
const QUANT = 8;

// The standard luminance DC table of ITU T.81 Annex K.3.
const DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const AC_BITS = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const AC_VALUES = [0x00];

/** Canonical Huffman codes from the counts per length (T.81 Annex C). */
function huffmanCodes(bits: number[], values: number[]): Map<number, { code: number; length: number }> {
  const codes = new Map<number, { code: number; length: number }>();
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    for (let i = 0; i < bits[length - 1]!; i++) codes.set(values[k++]!, { code: code++, length });
    code <<= 1;
  }
  return codes;
}

function segment(marker: number, payload: number[]): Buffer {
  return Buffer.from([0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload]);
}

function blockColor(bx: number, by: number): [number, number, number] {
  const t = (bx / (WIDTH / 8) + by / Math.ceil(HEIGHT / 8)) / 2;
  const [r, g, b] = [30 + 200 * t, 60 + 80 * t, 140 - 100 * t];
  return [0.299 * r + 0.587 * g + 0.114 * b, -0.1687 * r - 0.3313 * g + 0.5 * b + 128, 0.5 * r - 0.4187 * g - 0.0813 * b + 128];
}

function buildJpeg(): Buffer {
  const dc = huffmanCodes(DC_BITS, DC_VALUES);
  const eob = huffmanCodes(AC_BITS, AC_VALUES).get(0)!;
  const w = new BitWriter();
  const predictors = [0, 0, 0];
  for (let by = 0; by < Math.ceil(HEIGHT / 8); by++) {
    for (let bx = 0; bx < WIDTH / 8; bx++) {
      const color = blockColor(bx, by);
      for (let c = 0; c < 3; c++) {
        // A flat block's DC coefficient is 8 x (sample - 128); quantised by QUANT.
        const value = Math.round((8 * (color[c]! - 128)) / QUANT);
        const diff = value - predictors[c]!;
        predictors[c] = value;
        const magnitude = Math.abs(diff);
        const category = magnitude === 0 ? 0 : Math.floor(Math.log2(magnitude)) + 1;
        const symbol = dc.get(category)!;
        w.bits(symbol.code, symbol.length);
        if (category > 0) w.bits(diff > 0 ? diff : diff + 2 ** category - 1, category);
        w.bits(eob.code, eob.length);
      }
    }
  }
  const entropy: number[] = [];
  for (const byte of w.alignWithOnes().toBuffer()) {
    entropy.push(byte);
    if (byte === 0xff) entropy.push(0x00); // byte stuffing
  }
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    segment(0xdb, [0x00, ...new Array<number>(64).fill(QUANT)]),
    segment(0xc0, [8, HEIGHT >> 8, HEIGHT & 0xff, WIDTH >> 8, WIDTH & 0xff, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]),
    segment(0xc4, [0x00, ...DC_BITS, ...DC_VALUES]),
    segment(0xc4, [0x10, ...AC_BITS, ...AC_VALUES]),
    segment(0xda, [3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]),
    Buffer.from(entropy),
    Buffer.from([0xff, 0xd9]),
  ]);
}

export const SAMPLE_JPEG: Buffer = buildJpeg();
