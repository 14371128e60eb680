import { Global, Module } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { createKafka, kafkaConnection } from './kafka-client';

/** Injection token of the app's kafkajs client. */
export const KAFKA = Symbol('KAFKA');

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
