/**
 * The tutorial service's main.ts, run as its own process by tutorial-peer.ts (settings as JSON in
 * argv[2]): the standard Kafka transport, progress and results over IPC.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { type MicroserviceOptions, Transport } from '@nestjs/microservices';
import { TutorialIngestService } from './tutorial-ingest.service';
import { TutorialModule } from './tutorial.module';
import type { ChildMessage, ParentMessage } from './tutorial.protocol';
import type { TutorialSettings } from './tutorial.tokens';

const send = (message: ChildMessage): void => void process.send?.(message);

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2] ?? '') as TutorialSettings;
  let done = false;
  const onHandled = (handled: number): void => {
    if (handled === 1) send({ kind: 'first' });
    if (!done && handled >= settings.expectedRecords) {
      done = true;
      send({ kind: 'done', handled });
    }
  };
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(TutorialModule.forRoot(settings, onHandled), {
    transport: Transport.KAFKA,
    options: {
      client: { clientId: settings.clientId, brokers: settings.brokers },
      consumer: { groupId: settings.groupId },
      subscribe: { fromBeginning: true },
      // The raw bytes, so validateRecord sees what was produced (the default parser JSON.parses values).
      parser: { keepBinary: true },
    },
  });
  const stats = app.get(TutorialIngestService).stats;
  process.on('message', (message: ParentMessage) => {
    if (message.kind !== 'stop') return;
    void app.close().then(() => {
      const { handled, invalid, duplicates, validIds, redelivered } = stats;
      process.send?.(
        { kind: 'closed', handled, invalid, duplicates, redelivered, validIds: [...validIds] } satisfies ChildMessage,
        () => process.exit(0),
      );
    });
  });
  // The bench gone: nothing left to report to.
  process.on('disconnect', () => process.exit(1));
  await app.listen();
  setInterval(() => send({ kind: 'progress', handled: stats.handled }), 500).unref();
}

main().catch((error: unknown) => {
  send({ kind: 'failed', error: (error as Error).stack ?? String(error) });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100);
});
