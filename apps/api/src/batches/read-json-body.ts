import { PayloadTooLargeError, ValidationError } from '@flowq/core';

/** A JSON body read with the batch size limit (413 past it) instead of the API's 1 MB default. */
export async function readJsonBody(stream: AsyncIterable<Buffer | string>, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytes += buf.length;
    if (bytes > maxBytes) throw new PayloadTooLargeError(`body: is larger than the limit of ${maxBytes} bytes`, 'body');
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new ValidationError('body: is empty; send { items: [...] } or a CSV file', 'body');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`body: is not valid JSON (${(err as Error).message})`, 'body');
  }
}
