export * from './metrics';
export * from './pipeline-metrics';
export * from './loops';
export * from './background-loop';
export * from './readiness-checks';
export * from './deadline';
