// Realistic tourism traffic for Caravan (docs/contract §1), pure: records to produce, what the
// pipeline must decide for each, and the KPIs it must then publish.
export type {
  BadKind,
  ExpectedKpi,
  OutcomeSummary,
  RankEntry,
  SimEvent,
  SimOutcome,
  SimRecord,
  TrafficMix,
} from './types';
export { TrafficSimulator, type SimulatorOptions } from './traffic-simulator';
export { historicTraffic, type HistoricOptions } from './historic';
export { seedYear, SEED_YEAR_MIX, SEED_YEARS, type SeedYear, type SeedYearOptions } from './seed-year/seed-year';
export { SEED_ARRIVALS } from './seed-year/seed-arrivals';
export { SEED_BOOKINGS } from './seed-year/seed-bookings';
export { MEDIA_FLIGHTS, type MediaFlight } from './catalog/media.catalog';
export { expectedKpis, type ExpectedOptions, type KpiTarget } from './expected/expected-kpis';
export { expectedFromEvents, kpisFromEvents, projected } from './expected/projection-sql';
export { acceptedRecord, summarize } from './records';
export { ARTICLE_TARGETS, DEFAULT_RATES, hasDefaultRate } from './defaults';
export { checkMix } from './noise';
export { dayWeight, SPRING_FESTIVAL } from './calendar/seasonality';
export { createRandom, deriveSeed, mulberry32, type Random, type Weighted } from './random';
export { uuidSource, type UuidSource } from './uuid';
export { apportion } from './apportion';
export { spread } from './spread';
