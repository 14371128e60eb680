import { buildEvent, validateRecord, type ValidationResult } from '@caravan/contract';
import { createClient } from '@caravan/database';
import { useTestDatabase } from '../../../tests/harness';
import type { BatchInput } from './ingest-batch';
import { ingestTotals } from '@caravan/observability';
import type { KafkaRecord } from '@caravan/kafka';
import { type IngestFailure, ingestResilient } from './resilient-ingest';

const context = { hasRate: () => true };
const backoff = { initialMs: 10, maxMs: 50 };
const arrival = (travelers: number) =>
  buildEvent.arrivalRecorded(
    { nationality: 'CN', port: 'khorgos', purpose: 'tourism', travelers },
    { occurredAt: '2024-05-01T10:00:00+05:00' },
  );

/**
 * `n` records of one partition, each validated as the ingestor does; `poison` maps an index to a change the validator
 * did not see.
 */
function batch(
  topic: string,
  partition: number,
  n: number,
  poison: Record<number, (r: ValidationResult & { ok: true }) => ValidationResult> = {},
): BatchInput {
  const records: KafkaRecord[] = [];
  const validated: ValidationResult[] = [];
  for (let i = 0; i < n; i++) {
    const value = Buffer.from(JSON.stringify(arrival(1 + (i % 5))));
    records.push({ topic, partition, offset: String(i), key: null, value, timestamp: '1714540000000' });
    const result = validateRecord(value, { ...context, nowMs: Date.now() });
    if (!result.ok) throw new Error('expected a valid record');
    validated.push(poison[i]?.(result) ?? result);
  }
  return { group: 'g', topic, partition, records, validated };
}

/** A valid-looking event whose producer PostgreSQL refuses (U+0000 in text), as if validation had a gap. */
const nulInProducer = (r: ValidationResult & { ok: true }): ValidationResult => ({
  ok: true,
  event: { ...r.event, producer: 'border\u0000service' },
});
/** An event whose data jsonb refuses (a lone surrogate escape). */
const surrogateInData = (r: ValidationResult & { ok: true }): ValidationResult => ({
  ok: true,
  event: { ...r.event, data: { ...r.event.data, port: 'x\ud800' } },
});

describe('ingest that no single record and no passing failure can stop (real PostgreSQL)', () => {
  const db = useTestDatabase();

  it('isolates each record the store refuses as unstorable, and every other record of the group goes in', async () => {
    const unstorable: string[] = [];
    const inputs = [
      batch('arrivals', 0, 40, { 7: nulInProducer }),
      batch('arrivals', 1, 33),
      batch('media', 0, 25, { 0: surrogateInData, 24: nulInProducer }),
    ];
    const results = await ingestResilient(db().pool, inputs, {
      context,
      backoff,
      onUnstorable: (r) => unstorable.push(`${r.topic}:${r.partition}@${r.offset}`),
    });

    expect(results).toEqual([
      { kind: 'ingested', consumed: 40, accepted: 39, duplicate: 0, rejected: 1, skipped: 0, nextOffset: 40n },
      { kind: 'ingested', consumed: 33, accepted: 33, duplicate: 0, rejected: 0, skipped: 0, nextOffset: 33n },
      { kind: 'ingested', consumed: 25, accepted: 23, duplicate: 0, rejected: 2, skipped: 0, nextOffset: 25n },
    ]);
    expect(unstorable.sort()).toEqual(['arrivals:0@7', 'media:0@0', 'media:0@24']);
    const { rows } = await db().pool.query<{
      source_topic: string;
      source_offset: string;
      code: string;
      detail: string;
      event_id: string | null;
    }>(
      `SELECT source_topic, source_offset::text, code, detail, event_id FROM rejections
       ORDER BY source_topic, source_offset`,
    );
    expect(rows.map((r) => [r.source_topic, r.source_offset, r.code])).toEqual([
      ['arrivals', '7', 'unstorable'],
      ['media', '0', 'unstorable'],
      ['media', '24', 'unstorable'],
    ]);
    // The database's own reason, and the eventId the record carried.
    expect(rows[0]?.detail).toMatch(/^\[22021\] invalid byte sequence for encoding "UTF8": 0x00/);
    expect(rows[1]?.detail).toMatch(/^\[22P05\] unsupported Unicode escape sequence|^\[22P02\]/);
    expect(rows.every((r) => r.event_id !== null)).toBe(true);
    const events = await db().pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
    expect(events.rows[0]?.n).toBe(39 + 33 + 23);
    const offsets = await db().pool.query<{ topic: string; partition: number; next_offset: string }>(
      'SELECT topic, partition, next_offset::text FROM ingest_offsets ORDER BY 1, 2',
    );
    expect(offsets.rows).toEqual([
      { topic: 'arrivals', partition: 0, next_offset: '40' },
      { topic: 'arrivals', partition: 1, next_offset: '33' },
      { topic: 'media', partition: 0, next_offset: '25' },
    ]);
    const totals = await ingestTotals(db().pool, 'g');
    for (const t of totals) expect(t.consumed).toBe(t.accepted + t.duplicate + t.rejected);
    expect(totals.find((t) => t.topic === 'media')?.rejectedByCode).toEqual({ unstorable: 2 });

    // Redelivered whole: nothing changes, nothing fails.
    const again = await ingestResilient(db().pool, [batch('arrivals', 0, 40, { 7: nulInProducer })], {
      context,
      backoff,
    });
    expect(again).toEqual([{ kind: 'nothing-new', skipped: 40, nextOffset: 40n }]);
  });

  it('waits out a session killed under it (pg_terminate_backend) and stores the batch once', async () => {
    const failures: IngestFailure[] = [];
    // Hold the partition's offset row so the ingest session blocks, then end that session.
    await ingestResilient(db().pool, [batch('bookings', 5, 1)], { context, backoff });
    const holder = createClient({ connectionString: db().url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT * FROM ingest_offsets WHERE topic = 'bookings' AND partition = 5 FOR UPDATE`);
      const ingest = ingestResilient(
        db().pool,
        [{ ...batch('bookings', 5, 12), records: batch('bookings', 5, 12).records }],
        { context, backoff, onFailure: (f) => failures.push(f) },
      );
      let blocked: number | undefined;
      for (let i = 0; i < 500 && blocked === undefined; i++) {
        const { rows } = await holder.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
        );
        blocked = rows[0]?.pid;
        if (blocked === undefined) await new Promise((r) => setTimeout(r, 20));
      }
      expect(blocked).toBeDefined();
      await holder.query('SELECT pg_terminate_backend($1)', [blocked]);
      // The retry blocks on the lock again; the holder lets go.
      await new Promise((r) => setTimeout(r, 100));
      await holder.query('COMMIT');
      const [result] = await ingest;
      expect(result).toMatchObject({ kind: 'ingested', consumed: 11, accepted: 11, skipped: 1, nextOffset: 12n });
    } finally {
      await holder.end();
    }
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(failures[0]).toMatchObject({ kind: 'transient', attempt: 1 });
    const { rows } = await db().pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events WHERE source_topic = 'bookings'`,
    );
    expect(rows[0]?.n).toBe(12);
  });

  it('never sets a record aside for a fault that is not its own: retried until told to stop, nothing skipped', async () => {
    // Every offset past 3 refused: a defect of the store, not of any record.
    await db().pool.query(
      `ALTER TABLE ingest_offsets ADD CONSTRAINT test_offsets_below_4 CHECK (topic <> 'faulty' OR next_offset < 4)`,
    );
    try {
      const failures: IngestFailure[] = [];
      const stop = new AbortController();
      const ingest = ingestResilient(db().pool, [batch('faulty', 0, 10)], {
        context,
        backoff,
        signal: stop.signal,
        onFailure: (f) => {
          failures.push(f);
          if (failures.length >= 3) stop.abort(new Error('stopped by the test'));
        },
      });
      await expect(ingest).rejects.toThrow('stopped by the test');
      expect(failures.every((f) => f.kind === 'fault')).toBe(true);
      const { rows } = await db().pool.query<{ code: string }>(
        `SELECT code FROM rejections WHERE source_topic = 'faulty'`,
      );
      expect(rows).toEqual([]);
      const stored = await db().pool.query<{ next_offset: string }>(
        `SELECT next_offset::text FROM ingest_offsets WHERE topic = 'faulty'`,
      );
      // The records below the refused offset went in; none after it was skipped or rejected.
      expect(Number(stored.rows[0]?.next_offset ?? -1)).toBeLessThan(4);
    } finally {
      await db().pool.query('ALTER TABLE ingest_offsets DROP CONSTRAINT test_offsets_below_4');
    }
  });
});
