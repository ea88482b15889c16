import { describe, expect, it } from 'vitest';
import { csvRows } from './csv-rows';
import { MAX_CSV_COLUMNS, MAX_CSV_RECORD_BYTES, withinCsvShapeLimits } from './csv-shape-limits';

async function drain(text: string | Buffer, delimiter = ',') {
  async function* source() {
    const buf = Buffer.from(text);
    // Small chunks, so state carries across chunk boundaries.
    for (let i = 0; i < buf.length; i += 7) yield buf.subarray(i, i + 7);
  }
  let bytes = 0;
  for await (const chunk of withinCsvShapeLimits(source(), delimiter)) bytes += chunk.length;
  return bytes;
}

describe('withinCsvShapeLimits', () => {
  it('passes a file within the limits unchanged, quoted delimiters and line breaks not counted', async () => {
    const cells = Array.from({ length: MAX_CSV_COLUMNS }, (_, i) => `c${i}`).join(',');
    const text = `prompt,ref\n"a, quoted\nprompt with ""quotes"", ${','.repeat(500)}",r\n\n\n${cells}\n`;
    expect(await drain(text)).toBe(Buffer.byteLength(text));
  });

  it('a row of millions of empty cells is a 413 naming the row and the column (was 201 after 16 s and 2.8 GB)', async () => {
    await expect(drain(`prompt\np${','.repeat(1_000_000)}\n`)).rejects.toMatchObject({
      status: 413,
      field: 'file',
      message: `file: row 1 has more than the limit of ${MAX_CSV_COLUMNS} columns (column ${MAX_CSV_COLUMNS + 1})`,
    });
    await expect(drain(`prompt${';'.repeat(MAX_CSV_COLUMNS)}\n`, ';')).rejects.toMatchObject({ message: /the header has more than/ });
  });

  it('a record over the byte limit is a 413 naming the row and the column, also inside quotes', async () => {
    await expect(drain(`prompt,ref\nok,1\nx,"${'y'.repeat(MAX_CSV_RECORD_BYTES)}"\n`)).rejects.toMatchObject({
      status: 413,
      message: `file: row 2 is larger than the limit of ${MAX_CSV_RECORD_BYTES} bytes per record (at column 2)`,
    });
  });

  it('csvRows applies the limits with the detected delimiter', async () => {
    async function* source() {
      yield Buffer.from(`prompt\tref\nx${'\t'.repeat(MAX_CSV_COLUMNS + 5)}\n`);
    }
    const rows = csvRows(source(), { maxBytes: 1_000_000 });
    await expect(
      (async () => {
        for await (const _ of rows);
      })(),
    ).rejects.toMatchObject({ status: 413, message: /row 1 has more than/ });
  });
});
