export * from './database.module';
export * from './ensure-database';
export * from './identifiers';
export * from './lock-holders';
export * from './migrations';
export * from './pool';
export * from './pg-errors';
export * from './pg-listener';
