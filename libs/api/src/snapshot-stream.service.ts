import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Client, Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { createClient } from '@caravan/database';
import { scopeKey } from '@caravan/publisher';
import { API_POOL } from './api-pool';

export type StreamFilter = { kpi?: string; window?: string; scope: Record<string, string> };
export type StreamedSnapshot = { id: string; snapshot: unknown };
type Subscriber = { filter: StreamFilter; cursor: bigint; send: (rows: StreamedSnapshot[]) => void; busy: boolean; again: boolean };

const BATCH = 1_000;

/**
 * Live snapshots for Server-Sent Events: each subscriber has a cursor in kpi_snapshots (the
 * history id, sent as the event id); LISTEN caravan_snapshots (or a poll) wakes the subscribers,
 * each reads what it has not seen yet, so a reconnect with Last-Event-ID loses nothing.
 */
@Injectable()
export class SnapshotStream implements OnModuleDestroy {
  private readonly subscribers = new Set<Subscriber>();
  private listener: Client | undefined;
  private poll: NodeJS.Timeout | undefined;

  constructor(
    @Inject(API_POOL) private readonly pool: Pool,
    @Inject(CONFIG) private readonly config: CaravanConfig,
  ) {}

  /**
   * Starts a subscription. Without `after`, it begins with the latest snapshot of each matching key
   * and resolves the history id they are current at (sent as a `caught-up` event's id).
   */
  async subscribe(filter: StreamFilter, after: bigint | undefined, send: Subscriber['send']): Promise<{ unsubscribe: () => void; head: bigint | undefined }> {
    await this.ensureListening();
    const subscriber: Subscriber = { filter, cursor: after ?? 0n, send, busy: false, again: false };
    if (after === undefined) {
      // The head first: a snapshot stored after it is streamed by catchUp, never lost between the two.
      const head = await this.pool.query<{ head: string }>('SELECT coalesce(max(id), 0)::text AS head FROM kpi_snapshots');
      const { rows } = await this.pool.query<{ id: string; snapshot: unknown }>(
        `SELECT s.id::text AS id, s.snapshot
         FROM (SELECT DISTINCT ON (key) id, snapshot FROM kpi_snapshots WHERE id <= $4 AND ${this.where(1)} ORDER BY key, id DESC) s
         ORDER BY s.id`,
        [...this.params(filter), head.rows[0]?.head ?? '0'],
      );
      send(rows.map((r) => ({ id: r.id, snapshot: r.snapshot })));
      subscriber.cursor = BigInt(head.rows[0]?.head ?? '0');
    }
    this.subscribers.add(subscriber);
    void this.catchUp(subscriber);
    return { unsubscribe: () => void this.subscribers.delete(subscriber), head: after === undefined ? subscriber.cursor : undefined };
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.poll);
    this.subscribers.clear();
    await this.listener?.end().catch(() => undefined);
  }

  private wakeAll(): void {
    for (const s of this.subscribers) void this.catchUp(s);
  }

  private async catchUp(s: Subscriber): Promise<void> {
    if (s.busy) {
      s.again = true;
      return;
    }
    s.busy = true;
    try {
      for (;;) {
        const { rows } = await this.pool.query<{ id: string; snapshot: unknown }>(
          `SELECT id::text AS id, snapshot FROM kpi_snapshots WHERE id > $1 AND ${this.where(2)} ORDER BY kpi_snapshots.id LIMIT ${BATCH}`,
          [s.cursor.toString(), ...this.params(s.filter)],
        );
        const last = rows[rows.length - 1];
        if (!last || !this.subscribers.has(s)) break;
        s.cursor = BigInt(last.id);
        s.send(rows);
        if (rows.length < BATCH) break;
      }
    } catch {
      // The next wake-up retries from the same cursor.
    } finally {
      s.busy = false;
      if (s.again) {
        s.again = false;
        void this.catchUp(s);
      }
    }
  }

  private where(first: number): string {
    return `($${first}::text IS NULL OR kpi = $${first}) AND ($${first + 1}::text IS NULL OR time_window = $${first + 1}) AND ($${first + 2}::text IS NULL OR scope_key = $${first + 2})`;
  }

  private params(f: StreamFilter): Array<string | null> {
    return [f.kpi ?? null, f.window ?? null, Object.keys(f.scope).length > 0 ? scopeKey(f.scope) : null];
  }

  private async ensureListening(): Promise<void> {
    if (this.poll) return;
    this.poll = setInterval(() => this.wakeAll(), this.config.api.streamPollMs);
    this.poll.unref();
    const listener = createClient({ connectionString: this.config.api.databaseUrl ?? this.config.database.url, application_name: `caravan-api-listen-${process.pid}` });
    listener.on('notification', () => this.wakeAll());
    try {
      await listener.connect();
      await listener.query('LISTEN caravan_snapshots');
      this.listener = listener;
    } catch {
      // The poll alone delivers, only later.
    }
  }
}
