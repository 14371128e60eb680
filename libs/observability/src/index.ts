export * from './metrics';
export * from './pipeline-metrics';
export * from './ingest-totals';
export * from './loops';
export * from './background-loop';
export * from './readiness-checks';
export * from './deadline';
