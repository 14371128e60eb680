export * from './health.controller';
export * from './health.module';
export * from './readiness.service';
export * from './metrics.controller';
export * from './run-check';
