import type { Pool } from 'pg';

export type TopicTotals = {
  topic: string;
  consumed: number;
  accepted: number;
  duplicate: number;
  rejected: number;
  rejectedByCode: Record<string, number>;
};

/** The counters of a consumer group per topic, read from PostgreSQL (what ops and the api's counters show). */
export async function ingestTotals(pool: Pool, group: string): Promise<TopicTotals[]> {
  const { rows } = await pool.query<{ topic: string; outcome: string; code: string; count: string }>(
    `SELECT topic, outcome, code, count FROM ingest_totals WHERE consumer_group = $1 ORDER BY topic, outcome, code`,
    [group],
  );
  const byTopic = new Map<string, TopicTotals>();
  for (const row of rows) {
    const totals = byTopic.get(row.topic) ?? {
      topic: row.topic,
      consumed: 0,
      accepted: 0,
      duplicate: 0,
      rejected: 0,
      rejectedByCode: {},
    };
    const n = Number(row.count);
    if (row.outcome === 'rejected') totals.rejectedByCode[row.code] = n;
    totals[row.outcome as 'consumed' | 'accepted' | 'duplicate' | 'rejected'] += n;
    byTopic.set(row.topic, totals);
  }
  return [...byTopic.values()];
}
