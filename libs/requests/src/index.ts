export * from './claim-request';
export * from './executors';
export * from './read-request';
export * from './request';
export * from './request-executor';
export * from './submit-request';
export * from './wait-for-request';
export * from './results';
