import type { Admin } from 'kafkajs';
import type { KafkaConnection } from '@caravan/config';
import { createKafka, kafkaConnection } from './kafka-client';

/**
 * A Kafka admin client for read-only figures (high watermarks) of an app that does not need Kafka
 * to do its job: connected on first use within `timeoutMs`, undefined while Kafka does not answer
 * (the caller serves what PostgreSQL knows), connected again after a disconnect.
 */
export class KafkaAdminLink {
  private admin: Admin | undefined;

  constructor(private readonly options: KafkaConnection & { clientId: string; timeoutMs?: number }) {}

  async get(): Promise<Admin | undefined> {
    if (this.admin) return this.admin;
    const timeoutMs = this.options.timeoutMs ?? 3_000;
    const admin = createKafka({
      ...kafkaConnection(this.options),
      clientId: this.options.clientId,
      retries: 0,
      quiet: true,
      connectionTimeout: timeoutMs,
    }).admin();
    const connected = await Promise.race([
      admin.connect().then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref()),
    ]);
    if (!connected) {
      await admin.disconnect().catch(() => undefined);
      return undefined;
    }
    this.admin = admin;
    admin.on(admin.events.DISCONNECT, () => {
      if (this.admin === admin) this.admin = undefined;
    });
    return admin;
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }
}
