import { Controller, Inject, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload, Transport, type MicroserviceOptions } from '@nestjs/microservices';
import type { Pool } from 'pg';
import { createKafka, createProducer, ensureTopics } from '@caravan/kafka';
import { testServices, uniqueName, useTestDatabase, waitFor } from '../harness';

const TOPIC = uniqueName('transport');
const POOL = Symbol('POOL');

type Greeting = { id: string; text: string };

@Controller()
class GreetingController {
  constructor(@Inject(POOL) private readonly pool: Pool) {}

  @EventPattern<Record<string, Greeting>>(TOPIC)
  async onGreeting(@Payload() greeting: Greeting): Promise<void> {
    await this.pool.query('INSERT INTO greetings (id, text) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [
      greeting.id,
      greeting.text,
    ]);
  }
}

describe('a NestJS microservice on the Kafka transport (real broker, real PostgreSQL)', () => {
  const db = useTestDatabase({ migrate: false });
  let service: INestMicroservice;

  beforeAll(async () => {
    await db().pool.query('CREATE TABLE greetings (id text PRIMARY KEY, text text NOT NULL)');
    const kafka = createKafka({ brokers: testServices().kafkaBrokers, clientId: 'test-admin' });
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic: TOPIC, numPartitions: 2 }]);
    await admin.disconnect();

    @Module({ controllers: [GreetingController], providers: [{ provide: POOL, useValue: db().pool }] })
    class GreetingModule {}

    service = await NestFactory.createMicroservice<MicroserviceOptions>(GreetingModule, {
      transport: Transport.KAFKA,
      options: {
        client: { clientId: uniqueName('svc'), brokers: testServices().kafkaBrokers },
        consumer: { groupId: uniqueName('group') },
        subscribe: { fromBeginning: true },
      },
      logger: ['error'],
    });
    await service.listen();
  });

  afterAll(async () => {
    await service?.close();
  });

  it('receives a record produced with kafkajs and writes a row that reads back', async () => {
    const producer = createProducer(createKafka({ brokers: testServices().kafkaBrokers, clientId: 'test-producer' }));
    await producer.connect();
    const greetings: Greeting[] = [
      { id: 'g1', text: 'Сәлем, Алматы' },
      { id: 'g2', text: '你好，阿拉木图' },
    ];
    await producer.send({ topic: TOPIC, messages: greetings.map((g) => ({ key: g.id, value: JSON.stringify(g) })) });
    await producer.disconnect();

    const rows = await waitFor(
      async () => {
        const { rows } = await db().pool.query<Greeting>('SELECT id, text FROM greetings ORDER BY id');
        return rows.length === 2 ? rows : undefined;
      },
      { timeoutMs: 60_000, what: 'both greetings stored' },
    );
    expect(rows).toEqual(greetings);
  });
});
