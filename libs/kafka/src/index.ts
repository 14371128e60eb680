export * from './broker-probe';
export * from './kafka-client';
export * from './kafka.module';
export * from './event-producer';
export * from './kafka-batch.server';
export * from './codecs';
export * from './kafka-admin-link';
export * from './kafka-log';
