import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { PG_POOL } from '@caravan/database';
import { listSetAside, type SetAsideEvent } from '@caravan/event-store';
import { ingestTotals, type TopicTotals } from '@caravan/observability';
import type { RejectionsQuery, SetAsideQuery } from './query-params';

/** Admin reads (rejections, events set aside, counters); rebuilds and replays are AdminRequestsService's. */
@Injectable()
export class AdminService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CONFIG) private readonly config: CaravanConfig,
  ) {}

  async rejections(q: RejectionsQuery) {
    const { rows } = await this.pool.query(
      `SELECT id::text, source_topic AS topic, source_partition AS partition, source_offset::text AS offset,
              code, detail,
              encode(record_key, 'escape') AS key, encode(record_value, 'base64') AS "valueBase64",
              rejected_at AS "rejectedAt", dlq_published_at AS "publishedToDlqAt", dlq_failed_at AS "dlqRefusedAt",
              dlq_error AS "dlqError",
              resolved_at AS "resolvedAt", resolution,
              count(*) OVER ()::int AS total
       FROM rejections
       WHERE ($1::text IS NULL OR code = $1)
         AND ($2::timestamptz IS NULL OR rejected_at >= $2) AND ($3::timestamptz IS NULL OR rejected_at < $3)
         AND ($6::text IS NULL
              OR ($6 = 'published' AND dlq_published_at IS NOT NULL)
              OR ($6 = 'refused' AND dlq_published_at IS NULL AND dlq_failed_at IS NOT NULL)
              OR ($6 = 'pending' AND dlq_published_at IS NULL AND dlq_failed_at IS NULL))
       ORDER BY rejections.id LIMIT $4 OFFSET $5`,
      [q.code ?? null, q.from ?? null, q.to ?? null, q.limit, q.offset, q.dlq ?? null],
    );
    const total = (rows[0] as { total?: number } | undefined)?.total ?? 0;
    return { items: rows.map(({ total: _t, ...r }) => r), total, limit: q.limit, offset: q.offset };
  }

  /** Events the projections could not apply and set aside, newest first (a rebuild applies them again). */
  async setAside(q: SetAsideQuery): Promise<{ items: SetAsideEvent[]; total: number; limit: number; offset: number }> {
    const { items, total } = await listSetAside(this.pool, q);
    return { items, total, limit: q.limit, offset: q.offset };
  }

  async counters(): Promise<{ group: string; topics: Array<TopicTotals & { balanced: boolean }> }> {
    const topics = await ingestTotals(this.pool, this.config.ingest.groupId);
    return {
      group: this.config.ingest.groupId,
      topics: topics.map((t) => ({ ...t, balanced: t.consumed === t.accepted + t.duplicate + t.rejected })),
    };
  }
}
