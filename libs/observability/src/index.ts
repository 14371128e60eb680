export * from './metrics';
export * from './pipeline-metrics';
export * from './loops';
export * from './readiness-checks';
