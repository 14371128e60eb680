import { FORESEEN_REJECTION_CODES } from '@caravan/contract';
import { badRecord, conflictOf, duplicateOf } from './bad-records';
import type { EventFactory } from './event-factory';
import type { Random } from './random';
import type { BadKind, SimEvent, SimRecord, TrafficMix } from './types';

// Earlier accepted records a redelivery or a conflict may copy: recent ones, so memory stays flat in live mode.
const REMEMBERED = 10_000;

/** Refuses a mix the simulator cannot honour. */
export function checkMix(mix: TrafficMix): readonly BadKind[] {
  const { badShare, duplicateShare } = mix;
  for (const [name, share] of [
    ['badShare', badShare],
    ['duplicateShare', duplicateShare],
  ] as const) {
    if (!(share >= 0 && share < 1)) throw new RangeError(`${name} must be in [0, 1), got ${share}`);
  }
  if (badShare + duplicateShare >= 1) throw new RangeError('badShare + duplicateShare must stay below 1');
  const asked: readonly string[] = mix.badKinds ?? FORESEEN_REJECTION_CODES;
  const unknown = asked.filter((k) => !(FORESEEN_REJECTION_CODES as readonly string[]).includes(k));
  if (unknown.length > 0) throw new RangeError(`rejection codes the simulator cannot produce: ${unknown.join(', ')}`);
  const kinds = asked as readonly BadKind[];
  if (badShare > 0 && kinds.length === 0) throw new RangeError('badShare > 0 needs at least one bad kind');
  return kinds;
}

/**
 * Decides, record by record, whether a redelivery or an invalid record goes out in place of the
 * next valid event; invalid ones take each kind in turn.
 */
export class Noise {
  private readonly kinds: readonly BadKind[];
  private readonly accepted: Array<SimRecord & { event: SimEvent }> = [];
  private remembered = 0;
  private turn = 0;

  constructor(
    private readonly mix: TrafficMix,
    private readonly random: Random,
    private readonly factory: EventFactory,
  ) {
    this.kinds = checkMix(mix);
  }

  /** An accepted record just sent: later ones may copy it. */
  remember(record: SimRecord): void {
    if (!record.event) return;
    const entry = record as SimRecord & { event: SimEvent };
    if (this.accepted.length < REMEMBERED) this.accepted.push(entry);
    else this.accepted[this.remembered % REMEMBERED] = entry;
    this.remembered += 1;
  }

  /** A redelivery or an invalid record to send now, or undefined: send a valid event. */
  draw(atMs: number): SimRecord | undefined {
    const r = this.random.next();
    if (r < this.mix.duplicateShare)
      return this.accepted.length > 0 ? duplicateOf(this.random.pick(this.accepted)) : undefined;
    if (r >= this.mix.duplicateShare + this.mix.badShare) return undefined;
    const kind = this.kinds[this.turn % this.kinds.length] as BadKind;
    if (kind === 'conflict') {
      // Nothing accepted yet to conflict with: its turn waits for the next invalid record.
      if (this.accepted.length === 0) return undefined;
      this.turn += 1;
      return conflictOf(this.random.pick(this.accepted));
    }
    this.turn += 1;
    return badRecord(kind, this.random, this.factory, atMs);
  }
}
