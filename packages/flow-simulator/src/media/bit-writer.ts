/** MSB-first bit writer with the Exp-Golomb codes H.264 headers use. */
export class BitWriter {
  private readonly bytes: number[] = [];
  private current = 0;
  private used = 0;

  bit(value: number): this {
    this.current = (this.current << 1) | (value & 1);
    this.used += 1;
    if (this.used === 8) {
      this.bytes.push(this.current);
      this.current = 0;
      this.used = 0;
    }
    return this;
  }

  bits(value: number, count: number): this {
    for (let i = count - 1; i >= 0; i--) this.bit(Math.floor(value / 2 ** i) % 2);
    return this;
  }

  /** Unsigned Exp-Golomb, ue(v). */
  ue(value: number): this {
    const x = value + 1;
    const length = Math.floor(Math.log2(x)) + 1;
    return this.bits(0, length - 1).bits(x, length);
  }

  /** Signed Exp-Golomb, se(v). */
  se(value: number): this {
    return this.ue(value <= 0 ? -2 * value : 2 * value - 1);
  }

  get aligned(): boolean {
    return this.used === 0;
  }

  alignWithZeros(): this {
    while (this.used !== 0) this.bit(0);
    return this;
  }

  /** rbsp_trailing_bits: a stop bit, then zeros to the byte boundary. */
  trailingBits(): this {
    return this.bit(1).alignWithZeros();
  }

  byte(value: number): this {
    if (!this.aligned) throw new Error('byte() needs an aligned writer');
    this.bytes.push(value & 0xff);
    return this;
  }

  /** Pads with ones, as JPEG entropy data ends. */
  alignWithOnes(): this {
    while (this.used !== 0) this.bit(1);
    return this;
  }

  toBuffer(): Buffer {
    if (!this.aligned) throw new Error('unaligned bit writer');
    return Buffer.from(this.bytes);
  }
}
