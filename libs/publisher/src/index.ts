export * from './build-snapshots';
export * from './compute-all';
export * from './kpi-families';
export * from './publisher.module';
export * from './publisher.service';
export * from './read-kpis';
export * from './snapshot-publisher';
