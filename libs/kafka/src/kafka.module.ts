import { Global, Module } from '@nestjs/common';
import type { Kafka, KafkaConfig } from 'kafkajs';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { createKafka } from './kafka-client';

/** Injection token of the app's kafkajs client. */
export const KAFKA = Symbol('KAFKA');

/** Options of the @nestjs/microservices Kafka transport, from the same config. */
export function kafkaTransportClient(config: CaravanConfig): KafkaConfig {
  return { clientId: config.kafka.clientId, brokers: config.kafka.brokers, connectionTimeout: 3_000 };
}

@Global()
@Module({
  providers: [
    {
      provide: KAFKA,
      inject: [CONFIG],
      useFactory: (config: CaravanConfig): Kafka =>
        createKafka({ brokers: config.kafka.brokers, clientId: config.kafka.clientId }),
    },
  ],
  exports: [KAFKA],
})
export class KafkaModule {}
