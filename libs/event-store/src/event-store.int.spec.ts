import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { withTransaction } from '@caravan/database';
import { appendEvents } from './append-events';
import type { NewEvent, StoredEvent } from './events';
import { headPosition, readEventsAfter } from './read-events';
import { BACKLOG_CAP, projectionBacklog } from './projection-backlog';
import { projectionProgress } from './projection-progress';
import type { Position } from './position';
import { useTestDatabase, waitFor } from '../../../tests/harness';

function candidate(offset: number): NewEvent {
  return {
    eventId: randomUUID(),
    type: 'ArrivalRecorded',
    version: 1,
    occurredAt: '2024-03-28T10:15:00+05:00',
    producer: 'test',
    data: { nationality: 'CN', port: 'ala-airport', purpose: 'tourism', travelers: 1 },
    contentHash: 'ab'.repeat(32),
    source: { topic: 'tourism.arrivals', partition: 0, offset: String(offset) },
  };
}

describe('the event store (real PostgreSQL)', () => {
  const db = useTestDatabase();

  it('counts a backlog for readiness no further than BACKLOG_CAP, where the full progress counts them all', async () => {
    const before = await headPosition(db().pool);
    const n = BACKLOG_CAP + 5;
    await withTransaction(db().pool, (c) =>
      appendEvents(
        c,
        Array.from({ length: n }, (_, i) => candidate(i)),
      ),
    );
    await db().pool.query(
      `INSERT INTO projection_checkpoints (name, position) VALUES ('caught-up', $1), ('behind', $2)`,
      [before + n, before + n - 3],
    );
    expect(await projectionBacklog(db().pool, ['caught-up', 'behind', 'never-ran'])).toEqual([
      { name: 'caught-up', events: 0, capped: false },
      { name: 'behind', events: 3, capped: false },
      { name: 'never-ran', events: BACKLOG_CAP + 1, capped: true },
    ]);
    const [, , never] = await projectionProgress(db().pool, ['caught-up', 'behind', 'never-ran']);
    expect(never?.lagEvents).toBe(before + n);
  });

  it('is append-only: updates, deletes and truncation are refused', async () => {
    await withTransaction(db().pool, (c) => appendEvents(c, [candidate(0)]));
    await expect(db().pool.query(`UPDATE events SET producer = 'x'`)).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(db().pool.query('DELETE FROM events')).rejects.toThrow(/append-only: DELETE refused/);
    await expect(db().pool.query('TRUNCATE events')).rejects.toThrow(/append-only: TRUNCATE refused/);
  });

  it('stores data exactly, whatever characters its strings hold', async () => {
    const e = {
      ...candidate(3),
      data: {
        nationality: 'CN',
        port: 'ala-airport',
        purpose: 'tourism',
        travelers: 2,
        destination: 'a"b\\c\u001e{}[],\n é 中 😀',
      },
    };
    const plain = candidate(4);
    await withTransaction(db().pool, (c) => appendEvents(c, [e, plain]));
    const { rows } = await db().pool.query(
      'SELECT event_id::text AS id, data FROM events WHERE event_id = ANY($1::uuid[]) ORDER BY position',
      [[e.eventId, plain.eventId]],
    );
    expect(rows).toEqual([
      { id: e.eventId, data: e.data },
      { id: plain.eventId, data: plain.data },
    ]);
  });

  it('hands out positions in commit order: a second append waits until the first transaction ends', async () => {
    const start = await lastCheckpoint();
    const slow = await db().pool.connect();
    try {
      await slow.query('BEGIN');
      const slowEvent = candidate(1);
      const slowAppend = await appendEvents(slow, [slowEvent]);
      const fastEvent = candidate(2);
      let fastDone = false;
      const fast = withTransaction(db().pool, (c) => appendEvents(c, [fastEvent])).then((r) => {
        fastDone = true;
        return r;
      });
      await new Promise((r) => setTimeout(r, 300));
      // The second append queues behind the open transaction: nothing is readable, nothing can
      // take a position that commits before the slow one's.
      expect(fastDone).toBe(false);
      expect(await readEventsAfter(db().pool, start, 100)).toEqual([]);

      await slow.query('COMMIT');
      const fastAppend = await fast;
      const slowPosition = slowAppend.inserted.get(slowEvent.eventId) as Position;
      const fastPosition = fastAppend.inserted.get(fastEvent.eventId) as Position;
      expect(fastPosition).toBeGreaterThan(slowPosition);
      const read = await readEventsAfter(db().pool, start, 100);
      expect(read.map((e) => e.eventId)).toEqual([slowEvent.eventId, fastEvent.eventId]);
    } finally {
      slow.release();
    }
  });

  it('hands a tailing reader every event of many concurrent writers exactly once, never one below a position it has read', async () => {
    const start = await lastCheckpoint();
    const writers = 8;
    const perWriter = 40;
    const written: string[] = [];
    let writing = true;
    const seen: StoredEvent[] = [];
    const reader = (async () => {
      let checkpoint: Position = start;
      while (writing || seen.length < writers * perWriter) {
        const batch = await readEventsAfter(db().pool, checkpoint, 7);
        seen.push(...batch);
        const last = batch[batch.length - 1];
        // Every event at or below the position read must already have been read: positions
        // only ever become visible in increasing order.
        const below = await db().pool.query<{ n: string }>(
          'SELECT count(*)::text AS n FROM events WHERE position > $1 AND position <= $2',
          [start, last?.position ?? checkpoint],
        );
        expect(Number(below.rows[0]?.n)).toBe(seen.length);
        if (last) checkpoint = last.position;
        else await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) {
          await withTransaction(db().pool, async (c: PoolClient) => {
            const e = candidate(w * 1000 + i);
            await appendEvents(c, [e]);
            // Hold some transactions open so that commits overtake each other.
            if ((w + i) % 3 === 0) await c.query('SELECT pg_sleep(0.01)');
            written.push(e.eventId);
          });
        }
      }),
    );
    writing = false;
    await waitFor(() => seen.length >= written.length, { timeoutMs: 30_000, what: 'reader caught up' });
    await reader;
    const readTwice = seen.filter((e, i) => seen.findIndex((o) => o.eventId === e.eventId) !== i);
    expect(readTwice.map((e) => `${e.position}`)).toEqual([]);
    expect(seen.map((e) => e.position)).toEqual([...seen.map((e) => e.position)].sort((x, y) => (x < y ? -1 : 1)));
    expect(seen.map((e) => e.eventId).sort()).toEqual([...written].sort());
    expect(new Set(seen.map((e) => e.eventId)).size).toBe(written.length);
  });

  async function lastCheckpoint(): Promise<Position> {
    return headPosition(db().pool);
  }
});
