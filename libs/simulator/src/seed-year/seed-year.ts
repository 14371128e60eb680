import { formatInZone, RateTable, startOfLocalDay } from '@caravan/domain';
import { ARTICLE_TARGETS, DEFAULT_RATES } from '../defaults';
import { eventFactory } from '../event-factory';
import { expectedKpis } from '../expected/expected-kpis';
import { Noise } from '../noise';
import { createRandom, deriveSeed } from '../random';
import { acceptedRecord, summarize } from '../records';
import type { ExpectedKpi, OutcomeSummary, SimRecord, TrafficMix } from '../types';
import { uuidSource } from '../uuid';
import { seedArrivals } from './seed-arrivals';
import { seedBookings } from './seed-bookings';
import { seedMedia } from './seed-media';
import { sendOrder } from './timed-event';

export type SeedYearOptions = { timeZone?: string; seed?: number; mix?: TrafficMix };
export type SeedYear = {
  records: SimRecord[];
  /** The ytd snapshots at the watermark, with the shipped default rates and the article's targets. */
  expected: ExpectedKpi[];
  summary: OutcomeSummary;
  /** The watermark (latest occurredAt), on 2024-12-31 local: the snapshots' asOf. */
  asOf: string;
};

/** Redeliveries and invalid records sprinkled in; none of them changes a KPI. */
export const SEED_YEAR_MIX: TrafficMix = { duplicateShare: 0.005, badShare: 0.002 };
export const SEED_YEARS = [2023, 2024] as const;

/**
 * The article's two years (local days of 2023 and 2024), calibrated: Chinese arrivals 368,000
 * then 655,000 (+78.0 %, 131.0 % of the 500,000 target), Almaty the top destination, 63.8 million
 * media views in 2024. Records in send order; the same options give the same bytes.
 */
export function seedYear(options: SeedYearOptions = {}): SeedYear {
  const timeZone = options.timeZone ?? 'Asia/Almaty';
  const seed = options.seed ?? 2024;
  const part = (name: string) => createRandom(deriveSeed(seed, name));
  const factory = eventFactory(uuidSource(part('event-ids')), timeZone);
  const endMs = startOfLocalDay('2025-01-01', timeZone);
  const events = sendOrder([
    ...seedArrivals(part('arrivals'), factory, timeZone, SEED_YEARS),
    ...seedBookings(part('bookings'), factory, timeZone, SEED_YEARS, endMs),
    ...seedMedia(part('media'), factory, timeZone),
  ]);
  const noise = new Noise(options.mix ?? SEED_YEAR_MIX, part('noise'), factory);
  const records: SimRecord[] = [];
  for (const { event, atMs } of events) {
    const extra = noise.draw(atMs);
    if (extra) records.push(extra);
    const record = acceptedRecord(event);
    records.push(record);
    noise.remember(record);
  }
  const accepted = events.map((e) => e.event);
  const watermarkMs = events.reduce((max, e) => Math.max(max, e.atMs), Number.NEGATIVE_INFINITY);
  return {
    records,
    expected: expectedKpis(accepted, { timeZone, rates: new RateTable(DEFAULT_RATES), targets: ARTICLE_TARGETS }),
    summary: summarize(records),
    asOf: formatInZone(watermarkMs, timeZone),
  };
}
