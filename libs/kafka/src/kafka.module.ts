import { Global, Module } from '@nestjs/common';
import type { Kafka, KafkaConfig } from 'kafkajs';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { createKafka, kafkaConnection, securityOf } from './kafka-client';

/** Injection token of the app's kafkajs client. */
export const KAFKA = Symbol('KAFKA');

/** Options of the @nestjs/microservices Kafka transport, from the same config. */
export function kafkaTransportClient(config: CaravanConfig): KafkaConfig {
  return { clientId: config.kafka.clientId, ...securityOf(config.kafka), connectionTimeout: 3_000 };
}

@Global()
@Module({
  providers: [
    {
      provide: KAFKA,
      inject: [CONFIG],
      useFactory: (config: CaravanConfig): Kafka =>
        createKafka({ ...kafkaConnection(config.kafka), clientId: config.kafka.clientId }),
    },
  ],
  exports: [KAFKA],
})
export class KafkaModule {}
