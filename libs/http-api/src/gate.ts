/**
 * At most `limit` pieces of work at once; the others wait here, in order, for as long as it takes
 * (not in the pg pool, whose wait times out after 10 s and fails the request).
 */
export class Gate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`a gate lets at least one through, got ${limit}`);
  }

  /** How many wait for their turn. */
  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    // A finished piece hands its place straight to the next one waiting.
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
