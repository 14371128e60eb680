export * from './names';
export * from './test-database';
export * from './test-env';
export * from './wait-for';
export * from './pipeline';
export * from './mixed-stream';
export * from './child-app';
export * from './store-events';
