import { describe, expect, it } from 'vitest';
import { csvRows } from './csv-rows';

async function collect(text: string | Buffer) {
  const rows = [];
  async function* source() {
    yield Buffer.from(text);
  }
  for await (const r of csvRows(source(), { maxBytes: 1_000_000 })) rows.push(r);
  return rows;
}

describe('csvRows UTF-8 sniffing', () => {
  it('accepts a small UTF-8 file ending in a multi-byte character without a final newline (fuzz finding)', async () => {
    const rows = await collect('prompt\n日本語の猫');
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0])).toContain('日本語の猫');
  });

  it('still refuses bytes that are not UTF-8', async () => {
    await expect(collect(Buffer.from([0x70, 0x72, 0x6f, 0x6d, 0x70, 0x74, 0x0a, 0xff, 0xfe, 0x41]))).rejects.toThrow(/UTF-8/);
  });
});
