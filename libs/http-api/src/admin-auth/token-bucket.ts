/** Buckets a limiter keeps before it drops the full ones (each client address that tried has one). */
const MAX_BUCKETS = 10_000;

type Bucket = { tokens: number; at: number };

/**
 * A token bucket per key (a token id, or a client address): `perMinute` requests in a burst, then
 * one every 60/perMinute seconds. In memory: each api process limits on its own.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly perMinute: number) {}

  /** Takes one request for `key`: 0 when allowed, else the whole seconds until one is. */
  take(key: string, now: number = Date.now()): number {
    if (this.perMinute <= 0) return 0;
    const bucket = this.refilled(key, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * 60) / this.perMinute));
  }

  private refilled(key: string, now: number): Bucket {
    const ratePerMs = this.perMinute / 60_000;
    const bucket = this.buckets.get(key);
    if (bucket) {
      bucket.tokens = Math.min(this.perMinute, bucket.tokens + Math.max(0, now - bucket.at) * ratePerMs);
      bucket.at = now;
      return bucket;
    }
    if (this.buckets.size >= MAX_BUCKETS) this.dropFull(now);
    const fresh = { tokens: this.perMinute, at: now };
    this.buckets.set(key, fresh);
    return fresh;
  }

  /** A full bucket is the same as none: forgetting it changes nothing. */
  private dropFull(now: number): void {
    const ratePerMs = this.perMinute / 60_000;
    for (const [key, b] of this.buckets)
      if (b.tokens + (now - b.at) * ratePerMs >= this.perMinute) this.buckets.delete(key);
  }

  /** Buckets held (for the specs). */
  get size(): number {
    return this.buckets.size;
  }
}
