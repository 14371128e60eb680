import type { ArrivalRecordedData } from '@caravan/contract';
import type { HourProfile } from './calendar/time-of-day';
import { PORTS, portsOf, PURPOSES, PURPOSES_BY_DESTINATION } from './catalog/arrivals.catalog';
import type { Random } from './random';

/** One arrival record and the local hours its port sees arrivals at. */
export type ArrivalBatch = { data: ArrivalRecordedData; hours: HourProfile };

// Chinese travellers fill flights and trains; other nationalities are a smaller part of each.
const BATCH_SCALE: Readonly<Record<string, number>> = { CN: 1, RU: 0.7, UZ: 0.6, KG: 0.6 };

/**
 * A flight, a train or a border-crossing batch of travellers of one nationality, at most
 * `maxTravelers`. Transit travellers have no destination.
 */
export function arrivalBatch(
  random: Random,
  nationality: string,
  maxTravelers = Number.POSITIVE_INFINITY,
): ArrivalBatch {
  const port = random.weighted(portsOf(nationality));
  const profile = PORTS[port];
  if (!profile) throw new Error(`no profile for port ${port}`);
  const scale = BATCH_SCALE[nationality] ?? 0.35;
  const size = Math.max(1, Math.round(random.int(profile.batch[0], profile.batch[1]) * scale));
  const destination = random.weighted(profile.destinations);
  const purpose = random.weighted(PURPOSES_BY_DESTINATION[destination] ?? PURPOSES);
  const travelers = Math.min(size, maxTravelers);
  return {
    data: { nationality, port, purpose, travelers, ...(purpose === 'transit' ? {} : { destination }) },
    hours: profile.hours,
  };
}

/** Arrival records that count exactly `total` travellers of one nationality. */
export function arrivalBatches(random: Random, nationality: string, total: number): ArrivalBatch[] {
  const batches: ArrivalBatch[] = [];
  for (let left = total; left > 0;) {
    const batch = arrivalBatch(random, nationality, left);
    batches.push(batch);
    left -= batch.data.travelers;
  }
  return batches;
}
