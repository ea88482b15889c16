/**
 * A request body kept as the chunks it arrived in. Joining a 50 MB body into one Buffer is one
 * copy that holds the event loop for 100-300 ms on a busy machine (measured: the longest stall
 * of an accepted 50 MB batch); reading one item's range out of the chunks copies at most that item.
 */
export class ChunkedBytes {
  private readonly chunks: Buffer[] = [];
  private readonly starts: number[] = [];
  private total = 0;

  get length(): number {
    return this.total;
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.starts.push(this.total);
    this.total += chunk.length;
  }

  /** Bytes `start` (inclusive) to `end` (exclusive) as UTF-8 text. */
  text(start: number, end: number): string {
    if (end <= start) return '';
    const first = this.chunkAt(start);
    const from = this.starts[first]!;
    const chunk = this.chunks[first]!;
    if (end - from <= chunk.length) return chunk.toString('utf8', start - from, end - from);
    // The range spans chunks: copy just its bytes, so a character split between chunks decodes whole.
    const out = Buffer.allocUnsafe(end - start);
    let written = 0;
    for (let k = first; written < out.length; k++) {
      const c = this.chunks[k]!;
      const offset = k === first ? start - from : 0;
      written += c.copy(out, written, offset, Math.min(c.length, offset + out.length - written));
    }
    return out.toString('utf8');
  }

  /** The index of the chunk that holds byte `position`. */
  private chunkAt(position: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= position) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
