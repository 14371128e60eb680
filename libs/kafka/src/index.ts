export * from './broker-probe';
export * from './kafka-client';
export * from './kafka.module';
