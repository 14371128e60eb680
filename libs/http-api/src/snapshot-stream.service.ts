import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { scopeKey } from '@caravan/contract';
import { PgListener, sessionSettings } from '@caravan/database';
import { BackgroundLoop, listenConnected, streamReads, streamSubscribers } from '@caravan/observability';
import { API_POOL } from './api-pool';
import { Gate } from './gate';

export type StreamFilter = { kpi?: string; window?: string; scope: Record<string, string> };
/** A snapshot of the history: its id (the SSE event id) and its JSON, serialised once for every subscriber. */
export type StreamedSnapshot = { id: string; json: string };
export type Subscription = {
  unsubscribe: () => void;
  /** Where a subscription without Last-Event-ID is current after its first snapshots (the `caught-up` event's id). */
  head: bigint | undefined;
  /** Set when the id resumed from is older than the history kept: the latest snapshot per key was sent instead. */
  truncated?: { prunedUpTo: string };
};

type Row = { id: string; kpi: string; time_window: string; scope_key: string; json: string };
/** Rows as PostgreSQL gives them (the snapshot parsed), serialised once here. */
const serialised = <T extends { snapshot: unknown }>(rows: T[]): Array<Omit<T, 'snapshot'> & { json: string }> =>
  rows.map(({ snapshot, ...rest }) => ({ ...rest, json: JSON.stringify(snapshot) }));
type Subscriber = {
  /** Its filter as one string: subscribers with the same filter share the rows fanned out to them. */
  filter: string;
  kpi: string | null;
  window: string | null;
  scope: string | null;
  cursor: bigint;
  send: (rows: StreamedSnapshot[]) => void;
  /** Ends the stream (the api is shutting down). */
  end: () => void;
  /** Reading its own way up to the shared reader: what the reader fans out meanwhile waits here. */
  pending: StreamedSnapshot[] | undefined;
};

const BATCH = 1_000;

/** More streams than API_STREAM_MAX_CLIENTS: the api answers 503. */
export class StreamLimitError extends Error {
  constructor(readonly limit: number) {
    super(`at most ${limit} concurrent streams`);
  }
}

/** The api is shutting down: a new stream is refused (503), its client reconnects to another or later. */
export class StreamClosingError extends Error {
  constructor() {
    super('the api is shutting down');
  }
}

/**
 * Live snapshots for Server-Sent Events. One shared reader follows kpi_snapshots (woken by LISTEN
 * caravan_snapshots, or a poll while that connection is down) and fans each new row out to every
 * subscriber whose filter it matches: a thousand subscribers cost one query per wake-up, as one
 * does. A subscriber that resumes with Last-Event-ID reads its own way up to the shared reader
 * first (what the reader fans out meanwhile waits for it), so a reconnect loses nothing; one whose
 * id is older than the history kept gets the latest snapshot per key instead, and is told so.
 */
@Injectable()
export class SnapshotStream implements OnModuleDestroy {
  private readonly subscribers = new Set<Subscriber>();
  /** Set when the api shuts down: no new stream from then on. */
  private closing = false;
  private listener: PgListener | undefined;
  /** The shared reader: on NOTIFY, and every API_STREAM_POLL_MS (alone, only later, while LISTEN is down). */
  private readonly reader: BackgroundLoop;
  /** Every row up to here has been fanned out; undefined while no one listens. */
  private head: bigint | undefined;
  /**
   * New subscribers' own reads, half the pool at most: a burst of them (every dashboard
   * reconnecting after an api restart) waits its turn here instead of timing out in the pool, and
   * leaves connections to the shared reader and the other requests.
   */
  private readonly ownReads: Gate;

  constructor(
    @Inject(API_POOL) private readonly pool: Pool,
    @Inject(CONFIG) private readonly config: CaravanConfig,
  ) {
    this.ownReads = new Gate(Math.max(1, Math.floor(config.database.poolSize / 2)));
    this.reader = new BackgroundLoop({ run: () => this.readShared(), everyMs: config.api.streamPollMs });
  }

  get size(): number {
    return this.subscribers.size;
  }

  /**
   * Starts a subscription. Without `after`, it begins with the latest snapshot of each matching key
   * and resolves the history id they are current at; with `after`, it resumes after that id.
   * Throws StreamLimitError beyond API_STREAM_MAX_CLIENTS, StreamClosingError once the api shuts down.
   */
  async subscribe(
    filter: StreamFilter,
    after: bigint | undefined,
    send: Subscriber['send'],
    end: Subscriber['end'] = () => undefined,
  ): Promise<Subscription> {
    // A stream opened after the others were ended would keep the HTTP server from closing.
    if (this.closing) throw new StreamClosingError();
    if (this.subscribers.size >= this.config.api.maxStreams) throw new StreamLimitError(this.config.api.maxStreams);
    this.ensureListening();
    const kpi = filter.kpi ?? null;
    const window = filter.window ?? null;
    const scope = Object.keys(filter.scope).length > 0 ? scopeKey(filter.scope) : null;
    const subscriber: Subscriber = {
      filter: JSON.stringify([kpi, window, scope]),
      kpi,
      window,
      scope,
      cursor: 0n,
      send,
      end,
      pending: [],
    };
    // Counted (and let go by unsubscribe) from now on, even if the client leaves while this resolves.
    this.subscribers.add(subscriber);
    streamSubscribers.set(this.subscribers.size);
    const unsubscribe = () => {
      this.subscribers.delete(subscriber);
      streamSubscribers.set(this.subscribers.size);
      if (this.subscribers.size === 0) this.head = undefined;
    };
    try {
      const { head, truncated } = await this.ownReads.run(async () => {
        const head = await this.sharedHead();
        let truncated: Subscription['truncated'];
        // Gone while it waited its turn: nothing to read for it.
        if (!this.subscribers.has(subscriber)) return { head, truncated };
        if (after !== undefined) {
          // Rows above `after` were pruned (SNAPSHOT_RETENTION_DAYS): what it missed is gone.
          const pruned = await this.pool.query<{ up_to: string }>(
            'SELECT up_to_id::text AS up_to FROM kpi_history_pruned',
          );
          const upTo = pruned.rows[0]?.up_to;
          if (upTo !== undefined && after < BigInt(upTo)) truncated = { prunedUpTo: upTo };
        }
        if (after === undefined || truncated) {
          send(await this.latestPerKey(subscriber, head));
          subscriber.cursor = head;
        } else {
          subscriber.cursor = after;
          await this.readUpTo(subscriber, head);
        }
        return { head, truncated };
      });
      // Up to the shared reader: from now on it delivers.
      const waiting = subscriber.pending ?? [];
      subscriber.pending = undefined;
      this.deliver(subscriber, waiting);
      return {
        unsubscribe,
        head: after === undefined || truncated ? head : undefined,
        ...(truncated ? { truncated } : {}),
      };
    } catch (error) {
      unsubscribe();
      throw error;
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    const reading = this.reader.stop();
    // Open streams would keep the HTTP server from closing: they end, their clients reconnect.
    for (const s of [...this.subscribers]) s.end();
    this.subscribers.clear();
    streamSubscribers.set(0);
    await this.listener?.stop();
    await reading;
  }

  /** The shared reader's position (the history's head when it starts following). */
  private async sharedHead(): Promise<bigint> {
    if (this.head === undefined) {
      const { rows } = await this.pool.query<{ head: string }>(
        'SELECT coalesce(max(id), 0)::text AS head FROM kpi_snapshots',
      );
      this.head ??= BigInt(rows[0]?.head ?? '0');
    }
    return this.head;
  }

  /** The latest snapshot of each matching key as of `head`, from kpi_latest's keys (no scan of the history). */
  private async latestPerKey(s: Subscriber, head: bigint): Promise<StreamedSnapshot[]> {
    streamReads.inc({ reader: 'subscriber' });
    const { rows } = await this.pool.query<{ id: string; snapshot: unknown }>(
      `SELECT h.id::text AS id, h.snapshot
       FROM kpi_latest l
       CROSS JOIN LATERAL (SELECT id, snapshot FROM kpi_snapshots
                           WHERE key = l.key AND id <= $4 ORDER BY id DESC LIMIT 1) h
       WHERE ($1::text IS NULL OR l.kpi = $1) AND ($2::text IS NULL OR l.time_window = $2)
         AND ($3::text IS NULL OR l.scope_key = $3)
       ORDER BY h.id`,
      [s.kpi, s.window, s.scope, head.toString()],
    );
    return serialised(rows);
  }

  /** A resuming subscriber's own reads, from its cursor up to `upTo`. */
  private async readUpTo(s: Subscriber, upTo: bigint): Promise<void> {
    while (s.cursor < upTo && this.subscribers.has(s)) {
      streamReads.inc({ reader: 'subscriber' });
      const { rows: found } = await this.pool.query<{ id: string; snapshot: unknown }>(
        `SELECT id::text AS id, snapshot FROM kpi_snapshots
         WHERE id > $1 AND id <= $2 AND ($3::text IS NULL OR kpi = $3) AND ($4::text IS NULL OR time_window = $4)
           AND ($5::text IS NULL OR scope_key = $5)
         ORDER BY kpi_snapshots.id LIMIT ${BATCH}`,
        [s.cursor.toString(), upTo.toString(), s.kpi, s.window, s.scope],
      );
      const rows = serialised(found);
      const last = rows[rows.length - 1];
      if (!last) break;
      s.send(rows);
      s.cursor = BigInt(last.id);
      if (rows.length < BATCH) break;
    }
    if (s.cursor < upTo) s.cursor = upTo;
  }

  /** The shared reader's run (a no-op while no one listens). */
  private async readShared(): Promise<void> {
    try {
      while (this.head !== undefined && this.subscribers.size > 0) {
        streamReads.inc({ reader: 'shared' });
        const { rows: found } = await this.pool.query<Omit<Row, 'json'> & { snapshot: unknown }>(
          `SELECT id::text AS id, kpi, time_window, scope_key, snapshot FROM kpi_snapshots
           WHERE id > $1 ORDER BY kpi_snapshots.id LIMIT ${BATCH}`,
          [this.head.toString()],
        );
        const rows: Row[] = serialised(found);
        const last = rows[rows.length - 1];
        if (!last || this.head === undefined) return;
        this.head = BigInt(last.id);
        // Each filter's rows once, shared by every subscriber with that filter. A subscriber the
        // reader serves has had every row up to the previous head: these are all news to it.
        const byFilter = new Map<string, StreamedSnapshot[]>();
        for (const s of this.subscribers) {
          let matching = byFilter.get(s.filter);
          if (!matching)
            byFilter.set(
              s.filter,
              (matching = rows.filter((r) => matches(s, r)).map(({ id, json }) => ({ id, json }))),
            );
          if (s.pending) s.pending.push(...matching);
          else if (matching.length > 0) {
            s.cursor = this.head;
            s.send(matching);
          }
        }
        if (rows.length < BATCH) return;
      }
    } catch {
      // PostgreSQL away: the next wake-up (NOTIFY or poll) reads from the same head.
    }
  }

  /** What the shared reader kept for a subscriber while it read its own way: the rows past what it read. */
  private deliver(s: Subscriber, rows: StreamedSnapshot[]): void {
    const fresh = rows.filter((r) => BigInt(r.id) > s.cursor);
    const last = fresh[fresh.length - 1];
    if (!last) return;
    s.cursor = BigInt(last.id);
    s.send(fresh);
  }

  private ensureListening(): void {
    if (this.listener) return;
    // The poll alone delivers, only later, while the LISTEN connection is down (it comes back by itself).
    this.reader.start({ now: false });
    listenConnected.set({ channel: 'caravan_snapshots' }, 0);
    // On the primary, where the publisher notifies: a hot standby (API_DATABASE_URL) refuses LISTEN
    // and gets no NOTIFY. A row the replica has not replayed yet at a wake-up comes with the next one.
    this.listener = new PgListener({
      connection: {
        connectionString: this.config.database.url,
        application_name: `caravan-api-listen-${process.pid}`,
        ...sessionSettings(this.config.database.limits, true),
      },
      channels: ['caravan_snapshots'],
      onNotify: () => this.reader.wake(),
      onState: (up) => listenConnected.set({ channel: 'caravan_snapshots' }, up ? 1 : 0),
      logger: new Logger('SnapshotStream'),
    });
    this.listener.start();
  }
}

const matches = (s: Subscriber, r: Row): boolean =>
  (s.kpi === null || s.kpi === r.kpi) &&
  (s.window === null || s.window === r.time_window) &&
  (s.scope === null || s.scope === r.scope_key);
