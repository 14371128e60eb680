import { localDate } from '@caravan/domain';
import { arrivalBatch } from './arrivals';
import { bookingDraft, cancelReason } from './bookings';
import { NATIONALITIES } from './catalog/arrivals.catalog';
import { MARKETS } from './catalog/bookings.catalog';
import { type EventFactory, eventFactory } from './event-factory';
import { liveMediaReport } from './media';
import { Noise } from './noise';
import { createRandom, deriveSeed, type Random, type Weighted } from './random';
import { acceptedRecord } from './records';
import type { SimRecord, TrafficMix } from './types';
import { uuidSource } from './uuid';

export type SimulatorOptions = { seed: number; timeZone: string; mix: TrafficMix; producer?: string };

type Kind = 'arrival' | 'booking' | 'cancellation' | 'early-cancellation' | 'media';
// About 6.5 % of bookings get cancelled; about a quarter of those cancellations reach Kafka before their booking.
const KINDS: Weighted<Kind> = [
  ['arrival', 42],
  ['booking', 40],
  ['cancellation', 2],
  ['early-cancellation', 0.7],
  ['media', 12],
];
const OPEN_BOOKINGS = 5_000;

/**
 * Realistic live traffic, one record per call with event time `at`: arrivals, bookings,
 * cancellations (some sent before their booking, which follows a few records later with its own,
 * earlier, event time), media reports, redeliveries and invalid records as the mix says.
 */
export class TrafficSimulator {
  private readonly random: Random;
  private readonly factory: EventFactory;
  private readonly noise: Noise;
  private readonly pending: Array<{ record: SimRecord; due: number }> = [];
  private readonly open: Array<{ bookingId: string; atMs: number }> = [];
  private calls = 0;
  private lastAtMs = Number.NEGATIVE_INFINITY;
  private previousAtMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: SimulatorOptions) {
    this.random = createRandom(deriveSeed(options.seed, 'traffic'));
    this.factory = eventFactory(
      uuidSource(createRandom(deriveSeed(options.seed, 'event-ids'))),
      options.timeZone,
      options.producer,
    );
    this.noise = new Noise(options.mix, createRandom(deriveSeed(options.seed, 'noise')), this.factory);
  }

  /** Bookings held back because their cancellation went first. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** The next record; `allowPending: false` keeps it from holding a booking back (so a fixed count can be met). */
  next(at: Date, options: { allowPending?: boolean } = {}): SimRecord {
    this.calls += 1;
    const atMs = Math.floor(at.getTime() / 1000) * 1000;
    if (atMs > this.lastAtMs) [this.previousAtMs, this.lastAtMs] = [this.lastAtMs, atMs];
    const due = this.pending.findIndex((p) => p.due <= this.calls);
    const record =
      due >= 0
        ? this.pending.splice(due, 1)[0]?.record
        : (this.noise.draw(atMs) ?? this.valid(atMs, options.allowPending ?? true));
    if (!record) throw new Error('no record');
    this.noise.remember(record);
    return record;
  }

  /** Every booking still held back, in the order they were held. */
  drain(): SimRecord[] {
    const records = this.pending.splice(0).map((p) => p.record);
    for (const r of records) this.noise.remember(r);
    return records;
  }

  private valid(atMs: number, allowPending: boolean): SimRecord {
    const { random, factory } = this;
    const kind = random.weighted(KINDS);
    if (kind === 'arrival')
      return acceptedRecord(factory.arrival(arrivalBatch(random, random.weighted(NATIONALITIES)).data, atMs));
    if (kind === 'media') return acceptedRecord(factory.media(liveMediaReport(random), atMs));
    if (kind === 'cancellation') {
      const i = this.open.length > 0 ? random.int(0, this.open.length - 1) : -1;
      const booking = this.open[i];
      if (booking && booking.atMs < atMs) {
        this.open[i] = this.open[this.open.length - 1] as (typeof this.open)[number];
        this.open.pop();
        return acceptedRecord(factory.cancellation({ bookingId: booking.bookingId, ...cancelReason(random) }, atMs));
      }
    }
    if (
      kind === 'early-cancellation' &&
      allowPending &&
      Number.isFinite(this.previousAtMs) &&
      atMs - this.previousAtMs >= 1000
    ) {
      // Booked between the previous instant and now; its record reaches Kafka after its cancellation.
      const bookedAtMs = this.previousAtMs + Math.floor((random.next() * (atMs - this.previousAtMs)) / 1000) * 1000;
      const booking = this.booking(bookedAtMs);
      this.pending.push({ record: booking.record, due: this.calls + random.int(1, 8) });
      return acceptedRecord(factory.cancellation({ bookingId: booking.bookingId, ...cancelReason(random) }, atMs));
    }
    const booking = this.booking(atMs);
    if (this.open.length < OPEN_BOOKINGS) this.open.push({ bookingId: booking.bookingId, atMs });
    else this.open[random.int(0, OPEN_BOOKINGS - 1)] = { bookingId: booking.bookingId, atMs };
    return booking.record;
  }

  private booking(atMs: number): { bookingId: string; record: SimRecord } {
    const { random, factory } = this;
    const draft = bookingDraft(
      random,
      random.weighted(MARKETS),
      localDate(atMs, this.options.timeZone),
      factory.uuid().slice(-12),
    );
    return { bookingId: draft.data.bookingId, record: acceptedRecord(factory.booking(draft.data, atMs)) };
  }
}
