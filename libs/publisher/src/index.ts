export * from './build-snapshots';
export * from './compute-all';
export * from './kpi-families';
export * from './snapshots.module';
export * from './publisher-leadership';
export * from './read-kpis';
export * from './snapshot-publisher';
export * from './day-sums';
