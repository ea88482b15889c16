import { describe, expect, it } from 'vitest';
import { jsonBatchHead, MAX_JSON_ITEM_BYTES, parseItem, readJsonBatch } from './json-batch-body';
import { jsonRows } from './json-rows';

/** The body in small chunks, so the scan's state carries across chunk boundaries. */
async function* chunked(body: Buffer, size = 5) {
  for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
}
const scan = (text: string, maxRows = 100) => readJsonBatch(chunked(Buffer.from(text)), { maxBytes: 60 * 1024 * 1024, maxRows });
const itemsOf = async (text: string) => {
  const layout = await scan(text);
  return Array.from({ length: layout.items?.starts.length ?? 0 }, (_, i) => parseItem(layout, i));
};

describe('scanJsonBatch', () => {
  it('finds the items and the other fields without parsing the body as a whole', async () => {
    const text = ' { "name" : "n,]}", "items" : [ {"prompt":"a,b]"} , "s\\"]" ,[1,[2]], 3 ], "defaults": {"model":"x"} } ';
    expect(await itemsOf(text)).toEqual([{ prompt: 'a,b]' }, 's"]', [1, [2]], 3]);
    expect(jsonBatchHead(await scan(text))).toEqual({ name: 'n,]}', defaults: { model: 'x' }, items: [] });
    expect(await itemsOf('{"items":[]}')).toEqual([]);
  });

  it('a body of 25 million items is refused at the row limit before anything is parsed (was a heap blow-up)', async () => {
    const body = Buffer.alloc(12 + 2 * 3_000_000, '0,');
    body.write('{"items":[0,', 0);
    body.write('0]}', body.length - 3);
    let read = 0;
    async function* counted() {
      for await (const c of chunked(body, 65_536)) {
        read += c.length;
        yield c;
      }
    }
    await expect(readJsonBatch(counted(), { maxBytes: 60 * 1024 * 1024, maxRows: 100_000 })).rejects.toMatchObject({
      status: 413,
      field: 'items',
      message: 'items: has more than the limit of 100000 rows',
    });
    // Refused on the bytes as they came: the rest of the body was never read.
    expect(read).toBeLessThan(300_000);
  });

  it('a body over maxBytes is a 413 and an empty one a 400', async () => {
    await expect(readJsonBatch(chunked(Buffer.from('{"items":[1,2,3]}')), { maxBytes: 10, maxRows: 10 })).rejects.toMatchObject({ status: 413, field: 'body' });
    await expect(scan('  \n ')).rejects.toMatchObject({ status: 400, message: /is empty/ });
  });

  it('an item over the per-item limit is a 413 naming the item', async () => {
    const big = `{"items":[{"prompt":"ok"},{"prompt":"${'x'.repeat(MAX_JSON_ITEM_BYTES)}"}]}`;
    await expect(scan(big)).rejects.toMatchObject({ status: 413, field: 'items.1' });
    await expect(scan(`{"name":"${'x'.repeat(MAX_JSON_ITEM_BYTES)}","items":[]}`)).rejects.toMatchObject({ status: 413, field: 'name' });
    // A large items array followed by another field is fine: only each item is held to the limit.
    const many = await scan(`{"items":[${Array.from({ length: 5_000 }, () => `"${'y'.repeat(300)}"`).join(',')}],"name":"after"}`, 10_000);
    expect(many.items!.starts).toHaveLength(5_000);
    expect(jsonBatchHead(many)).toEqual({ name: 'after', items: [] });
  });

  it('nesting deeper than 64 levels is a 400 naming the item, found by the scan', async () => {
    await expect(scan(`{"items":[{"prompt":"x"},${'['.repeat(100)}${']'.repeat(100)}]}`)).rejects.toMatchObject({ status: 400, field: 'items.1' });
  });

  it.each([
    ['[1,2]', /must be a JSON object/],
    ['{"items":[1,2]', /ends before/],
    ['{"items":[1,2]} x', /more after the end/],
    ['{"items":[1,2] [3]}', /more after the items array/],
    ['{"items":[1,]}', /comma before the end/],
    ['{items:[1]}', /quoted string/],
    ['{"items" [1]}', /no value|quoted string/],
    ['{"items":[1],"items":[2]}', /given twice/],
    ['{"a":1,,"items":[]}', /comma where a field/],
  ])('refuses %s as a 400', async (text, message) => {
    await expect(scan(text)).rejects.toMatchObject({ status: 400, message });
  });

  it('syntax errors inside an item are found when that item is parsed, naming it', async () => {
    const layout = await scan('{"items":[{"prompt":"a"},{"prompt":}]}');
    expect(parseItem(layout, 0)).toEqual({ prompt: 'a' });
    expect(() => parseItem(layout, 1)).toThrow(/items\.1: is not valid JSON/);
  });

  it('jsonRows parses item by item and refuses an unstorable string naming its path', async () => {
    const rows = [];
    for await (const r of jsonRows(await scan('{"items":[{"prompt":"a","ref":"r"},5]}'))) rows.push(r);
    expect(rows).toEqual([
      { row: 1, fields: { prompt: 'a' }, ref: 'r', metadata: undefined },
      { row: 2, fields: null, issues: [{ column: '', message: 'must be an object with at least a prompt' }] },
    ]);
    const bad = jsonRows(await scan('{"items":[{"prompt":"a"},{"prompt":"\\u0000"}]}'));
    await expect(
      (async () => {
        for await (const _ of bad);
      })(),
    ).rejects.toMatchObject({ field: 'items.1.prompt' });
  });
});
