// Bandwidth pacing for the inter-cluster link and per-relationship throttles: each chunk
// reserves its share of a rate, and the sender waits until that reservation comes due.
export class Pacer {
  private nextFree = 0;

  /** @param bytesPerSec 0 or less is unlimited */
  constructor(public bytesPerSec: number) {}

  /** Milliseconds to wait before `bytes` may go out. */
  reserve(bytes: number): number {
    if (this.bytesPerSec <= 0) return 0;
    const now = performance.now();
    const start = Math.max(now, this.nextFree);
    this.nextFree = start + (bytes * 1000) / this.bytesPerSec;
    // Pay for the chunk after sending it would let the first chunk out for free;
    // waiting until its reservation ends keeps the average at or below the rate.
    return this.nextFree - now;
  }
}
