import { addDays, atLocalTime, daysBetween, localDate, startOfLocalDay } from '@caravan/domain';
import { dayWeight } from './calendar/seasonality';
import { HOURS, secondOfDay } from './calendar/time-of-day';
import { createRandom, deriveSeed, type Random } from './random';
import { spread } from './spread';
import { TrafficSimulator } from './traffic-simulator';
import type { SimRecord, TrafficMix } from './types';

export type HistoricOptions = {
  seed: number;
  timeZone: string;
  mix: TrafficMix;
  from: Date;
  to: Date;
  count: number;
  producer?: string;
};

/**
 * Exactly `count` records with event times in [from, to): spread over the local days by their
 * seasonality, over each day by the hours of the traffic, in time order (bookings held back by an
 * early cancellation come a few records later, and the last ones at the end, all counted in).
 */
export function* historicTraffic(options: HistoricOptions): Generator<SimRecord> {
  const { count, timeZone } = options;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a whole number ≥ 0, got ${count}`);
  const lo = Math.ceil(options.from.getTime() / 1000) * 1000;
  const hi = options.to.getTime();
  if (!(lo < hi)) throw new RangeError('from must be before to (and a whole second apart)');
  const simulator = new TrafficSimulator({
    seed: options.seed,
    timeZone,
    mix: options.mix,
    producer: options.producer,
  });
  const random = createRandom(deriveSeed(options.seed, 'historic-times'));
  const days = daysBetween(localDate(lo, timeZone), localDate(hi - 1, timeZone));
  const spans = days.map((day) => {
    const start = startOfLocalDay(day, timeZone);
    const end = startOfLocalDay(addDays(day, 1), timeZone);
    return { day, from: Math.max(start, lo), to: Math.min(end, hi), length: end - start };
  });
  const perDay = spread(
    random,
    count,
    spans.map((s) => (dayWeight(s.day) * Math.max(0, s.to - s.from)) / s.length),
  );
  let emitted = 0;
  outer: for (const [i, span] of spans.entries()) {
    for (const atMs of timesOf(random, span, perDay[i] ?? 0, timeZone)) {
      // Every record out plus every booking held back must stay within the count.
      const room = count - emitted - simulator.pendingCount;
      if (room <= 0) break outer;
      yield simulator.next(new Date(atMs), { allowPending: room >= 2 });
      emitted += 1;
    }
  }
  yield* simulator.drain();
}

/** `n` whole-second instants of one local day within [span.from, span.to), by the hours of the traffic, sorted. */
function timesOf(
  random: Random,
  span: { day: string; from: number; to: number },
  n: number,
  timeZone: string,
): number[] {
  const times: number[] = [];
  const first = Math.ceil(span.from / 1000) * 1000;
  for (let k = 0; k < n; k++) {
    let t = Number.NaN;
    for (let attempt = 0; attempt < 10 && !(t >= span.from && t < span.to); attempt++)
      t = atLocalTime(span.day, secondOfDay(random, HOURS.traffic), timeZone);
    // A part of a day the profile rarely reaches (the range starts or ends inside it): uniform within it.
    if (!(t >= span.from && t < span.to)) t = first + Math.floor((random.next() * (span.to - first)) / 1000) * 1000;
    times.push(t);
  }
  return times.sort((a, b) => a - b);
}
