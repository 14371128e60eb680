export * from './config';
export * from './config.module';
export * from './config.schema';
export * from './project-root';
export * from './secure-connections';
