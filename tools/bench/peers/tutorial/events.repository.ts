import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import type { ValidEvent } from '@caravan/contract';
import type { Upsert } from './tutorial.aggregates';
import { PG_POOL } from './tutorial.tokens';

const INSERT_EVENT = `INSERT INTO events (event_id, type, occurred_at, payload) VALUES ($1, $2, $3, $4::jsonb)
  ON CONFLICT (event_id) DO NOTHING`;

/** All SQL of the tutorial service: one transaction per event. */
@Injectable()
export class EventsRepository implements OnApplicationShutdown {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Stores the event and, unless its eventId was already stored, applies its aggregate upsert. */
  async store(event: ValidEvent, json: string, upsert: Upsert | undefined): Promise<'stored' | 'duplicate'> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const inserted = await client.query(INSERT_EVENT, [event.eventId, event.type, event.occurredAt, json]);
      if (inserted.rowCount === 1 && upsert) await client.query(upsert.sql, upsert.params);
      await client.query('COMMIT');
      return inserted.rowCount === 1 ? 'stored' : 'duplicate';
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
