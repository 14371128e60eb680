import { buildEvent } from '@caravan/contract';
import { replayRejections } from '@caravan/ingest';
import { storeEvents, totals, useTestDatabase } from '../harness';

const GROUP = 'replay-outcomes';
const TOPIC = 'outcomes.arrivals';

const arrival = (travelers: number) =>
  buildEvent.arrivalRecorded(
    { nationality: 'CN', port: 'khorgos', purpose: 'tourism', travelers },
    { occurredAt: '2024-05-01T10:00:00Z' },
  );

/**
 * The outcomes of one chunk whose records share eventIds with each other and with the store: the
 * same as one record at a time (the first of an eventId accepted, the same content after it a
 * duplicate, other content a conflict), with the counters moved once per resolved record.
 */
describe('a replay chunk whose records share eventIds (real PostgreSQL)', () => {
  const db = useTestDatabase();

  it('accepts the first of an eventId, finds the same content a duplicate and other content a conflict', async () => {
    const once = arrival(1);
    const stored = arrival(2);
    await storeEvents(db().pool, [stored]);
    const values = [
      JSON.stringify(once),
      JSON.stringify(once),
      JSON.stringify({ ...once, data: { ...once.data, travelers: 9 } }),
      JSON.stringify(stored),
      '{"still": "broken"',
    ];
    await db().pool.query(
      `INSERT INTO rejections (consumer_group, source_topic, source_partition, source_offset, record_value, code, detail)
       SELECT $1, $2, v.ord % 2, v.ord, convert_to(v.value, 'UTF8'), 'unknown_currency', 'test'
       FROM unnest($3::text[]) WITH ORDINALITY AS v(value, ord) ORDER BY v.ord`,
      [GROUP, TOPIC, values],
    );
    await db().pool.query(
      `INSERT INTO ingest_counters (consumer_group, topic, partition, outcome, code, count)
       VALUES ($1, $2, 0, 'consumed', '', 2), ($1, $2, 1, 'consumed', '', 3),
              ($1, $2, 0, 'rejected', 'unknown_currency', 2), ($1, $2, 1, 'rejected', 'unknown_currency', 3)`,
      [GROUP, TOPIC],
    );

    const outcomes = await replayRejections(db().pool, { limit: 100 }, () => true);

    expect(outcomes.map((o) => [o.rejectionId, o.outcome, o.code])).toEqual([
      ['1', 'accepted', undefined],
      ['2', 'duplicate', undefined],
      ['3', 'rejected', 'conflict'],
      ['4', 'duplicate', undefined],
      ['5', 'rejected', 'malformed_json'],
    ]);
    const { byTopic } = await totals(db().pool, GROUP);
    expect(byTopic).toEqual([
      {
        topic: TOPIC,
        consumed: 5,
        accepted: 1,
        duplicate: 2,
        rejected: 2,
        rejectedByCode: { unknown_currency: 2 },
      },
    ]);
    const { rows } = await db().pool.query<{ id: string; resolution: string | null }>(
      'SELECT id::text, resolution FROM rejections ORDER BY rejections.id',
    );
    expect(rows.map((r) => r.resolution)).toEqual(['accepted', 'duplicate', null, 'duplicate', null]);
    const replays = await db().pool.query<{ n: number }>('SELECT count(*)::int AS n FROM rejection_replays');
    expect(replays.rows[0]?.n).toBe(5);
  });
});
