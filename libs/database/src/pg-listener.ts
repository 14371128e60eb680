import type { Client, ClientConfig } from 'pg';
import { createClient } from './pool';

export type PgListenerOptions = {
  /** The connection (each attempt opens a new one: a pg Client does not reconnect). */
  connection: ClientConfig;
  channels: string[];
  /** A notification arrived, or the connection came back (what was notified meanwhile was missed). */
  onNotify: (channel: string) => void;
  /** The connection went up (true) or down (false); once per change. */
  onState?: (listening: boolean) => void;
  logger: { log: (message: string) => void; warn: (message: string) => void };
  /** The first retry after a failure, doubled up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
};

/**
 * A LISTEN connection that comes back by itself: a restart or failover of PostgreSQL, or a
 * pg_terminate_backend, ends it; it reconnects with backoff until it is told to stop. Whoever
 * relies on it also polls, so nothing is lost while it is down, only later. Logs once per change
 * of state, never once per attempt.
 */
export class PgListener {
  private client: Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failures = 0;
  private lastError: string | undefined;
  listening = false;

  constructor(private readonly options: PgListenerOptions) {}

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    this.setListening(false, undefined);
    await client?.end().catch(() => undefined);
  }

  /** Why it does not listen now, if it does not. */
  get downReason(): string | undefined {
    return this.listening ? undefined : (this.lastError ?? 'connecting');
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = createClient(this.options.connection);
    this.client = client;
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost || this.client !== client) return;
      lost = true;
      this.client = undefined;
      void client.end().catch(() => undefined);
      this.failed(error?.message ?? 'connection ended');
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => this.options.onNotify(message.channel));
    try {
      await client.connect();
      for (const channel of this.options.channels) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      onLost(error as Error);
      return;
    }
    if (this.client !== client) return;
    this.failures = 0;
    this.setListening(true, undefined);
    // Whatever was notified while the connection was down is missed: wake everyone once.
    for (const channel of this.options.channels) this.options.onNotify(channel);
  }

  private failed(reason: string): void {
    this.setListening(false, reason);
    if (this.stopped) return;
    const initial = this.options.retryMs ?? 500;
    const delay = Math.min(this.options.maxRetryMs ?? 10_000, initial * 2 ** Math.min(this.failures, 10));
    this.failures += 1;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.connect(), delay);
    this.timer.unref();
  }

  private setListening(listening: boolean, reason: string | undefined): void {
    const channels = this.options.channels.join(', ');
    if (listening && !this.listening) this.options.logger.log(`LISTEN ${channels}: connected`);
    if (!listening && (this.listening || (reason && this.lastError === undefined)) && !this.stopped) {
      this.options.logger.warn(`LISTEN ${channels}: ${reason ?? 'down'}; polling meanwhile, reconnecting with backoff`);
    }
    const changed = listening !== this.listening;
    this.listening = listening;
    this.lastError = listening ? undefined : reason;
    if (changed) this.options.onState?.(listening);
  }
}
