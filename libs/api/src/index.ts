export * from './api-pool';
export * from './api-queries.module';
export * from './http-exception.filter';
export * from './kpi-read.repository';
export * from './query-params';
export * from './snapshot-stream.service';
export * from './openapi';
