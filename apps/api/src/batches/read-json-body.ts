import { PayloadTooLargeError, ValidationError } from '@flowq/core';

/**
 * The bytes of a JSON body, read with the batch size limit (413 past it) instead of the API's
 * 1 MB default. Left unparsed: `scanJsonBatch` reads its shape before any of it is parsed.
 */
export async function readJsonBody(stream: AsyncIterable<Buffer | string>, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytes += buf.length;
    if (bytes > maxBytes) throw new PayloadTooLargeError(`body: is larger than the limit of ${maxBytes} bytes`, 'body');
    chunks.push(buf);
  }
  const body = Buffer.concat(chunks, bytes);
  chunks.length = 0;
  // A larger blank body is refused by the scan as JSON that ends before its object.
  if (body.length <= 4096 && body.toString('utf8').trim() === '') {
    throw new ValidationError('body: is empty; send { items: [...] } or a CSV file', 'body');
  }
  return body;
}
