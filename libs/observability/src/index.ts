export * from './metrics';
export * from './pipeline-metrics';
