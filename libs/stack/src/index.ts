export * from './app-processes';
export * from './kafka-broker';
export * from './postgres';
export * from './prerequisites';
export * from './processes';
export * from './stack';
export { ensureKafkaJars } from './kafka-distribution';
export * from './supervisor';
export * from './dashboard-build';
