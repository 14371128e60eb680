import type { Producer } from 'kafkajs';
import type { Pool } from 'pg';
import type { KpiSnapshot } from '@caravan/contract';
import { withTransaction } from '@caravan/database';
import { fingerprint } from './build-snapshots';
import { computeSnapshotSet } from './compute-all';
import { scopeKey, snapshotKey } from './kpi-families';

export type PublishResult = { computed: number; published: number; position: number };

/**
 * Computes the snapshots and publishes those that changed since the last publication: to the
 * compacted topic (key kpi|window|scope) and to PostgreSQL (history and latest), in that order,
 * remembering them only once both took them.
 */
export class SnapshotPublisher {
  private last: Map<string, string> | undefined;
  /**
   * Keys last published while the projections were not level: their values may already reflect
   * events beyond the position they carry. Once the projections are level at a higher position,
   * those whose value did not change are published again, so that no snapshot is left claiming
   * less than it shows (a KPI's last events would otherwise never be reported as covered).
   */
  private readonly provisional = new Set<string>();

  constructor(
    private readonly pool: Pool,
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly timeZone: string,
  ) {}

  async publishChanges(): Promise<PublishResult> {
    const last = (this.last ??= await this.loadLatest());
    const { snapshots, position, level } = await computeSnapshotSet(this.pool, this.timeZone);
    const key = (s: KpiSnapshot) => snapshotKey(s.kpi, s.window, s.scope);
    const changed = snapshots.filter((s) => last.get(key(s)) !== fingerprint(s));
    if (level && this.provisional.size > 0) {
      const changedKeys = new Set(changed.map(key));
      changed.push(...snapshots.filter((s) => this.provisional.has(key(s)) && !changedKeys.has(key(s))));
    }
    if (changed.length === 0) return { computed: snapshots.length, published: 0, position };
    await this.producer.send({
      topic: this.topic,
      messages: changed.map((s) => ({ key: snapshotKey(s.kpi, s.window, s.scope), value: JSON.stringify(s) })),
    });
    await this.store(changed);
    for (const s of changed) last.set(key(s), fingerprint(s));
    if (level) this.provisional.clear();
    else for (const s of changed) this.provisional.add(key(s));
    return { computed: snapshots.length, published: changed.length, position };
  }

  private async store(snapshots: KpiSnapshot[]): Promise<void> {
    const columns = [
      snapshots.map((s) => snapshotKey(s.kpi, s.window, s.scope)),
      snapshots.map((s) => s.kpi),
      snapshots.map((s) => s.window),
      snapshots.map((s) => scopeKey(s.scope)),
      snapshots.map((s) => JSON.stringify(s)),
      snapshots.map((s) => s.position),
      snapshots.map((s) => s.computedAt),
    ];
    await withTransaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO kpi_snapshots (key, kpi, time_window, scope_key, snapshot, position, computed_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::bigint[], $7::timestamptz[])`,
        columns,
      );
      await client.query(
        `INSERT INTO kpi_latest (key, kpi, time_window, scope_key, snapshot, position, computed_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::bigint[], $7::timestamptz[])
         ON CONFLICT (key) DO UPDATE SET snapshot = EXCLUDED.snapshot, position = EXCLUDED.position, computed_at = EXCLUDED.computed_at`,
        columns,
      );
      // Wakes the API's live streams when the transaction commits.
      await client.query(`SELECT pg_notify('caravan_snapshots', '')`);
    });
  }

  private async loadLatest(): Promise<Map<string, string>> {
    const { rows } = await this.pool.query<{ key: string; snapshot: KpiSnapshot }>('SELECT key, snapshot FROM kpi_latest');
    return new Map(rows.map((r) => [r.key, fingerprint(r.snapshot)]));
  }
}
