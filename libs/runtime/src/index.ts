export * from './start-app';
export * from './logging.module';
