import type { PostgresEventStore } from '@event-driven-io/emmett-postgresql';
import type { TourismEmmettEvent } from './events';

export type AppendPlan = { streams: Map<string, TourismEmmettEvent[]>; chunkSize: number; concurrency: number };
export type AppendStats = { appends: number };

type Cursor = { name: string; events: TourismEmmettEvent[]; next: number };

/**
 * Appends every stream's events in order, `chunkSize` at a time, with `concurrency` appends in
 * flight. A stream has one append in flight at most; long streams go first and keep their worker,
 * so the longest stream (the critical path) never waits behind the many one-event streams.
 */
export async function appendStreams(store: PostgresEventStore, plan: AppendPlan): Promise<AppendStats> {
  const queue: Cursor[] = [...plan.streams]
    .map(([name, events]) => ({ name, events, next: 0 }))
    .sort((a, b) => b.events.length - a.events.length);
  let taken = 0;
  const stats: AppendStats = { appends: 0 };
  const worker = async (): Promise<void> => {
    for (let cursor = queue[taken++]; cursor; cursor = queue[taken++]) {
      while (cursor.next < cursor.events.length) {
        const chunk = cursor.events.slice(cursor.next, cursor.next + plan.chunkSize);
        await store.appendToStream(cursor.name, chunk);
        cursor.next += chunk.length;
        stats.appends += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, worker));
  return stats;
}

/** Events grouped by stream, in input order within each stream. */
export function groupByStream<E>(events: readonly E[], streamOf: (e: E) => string): Map<string, E[]> {
  const streams = new Map<string, E[]>();
  for (const e of events) {
    const name = streamOf(e);
    const list = streams.get(name);
    if (list) list.push(e);
    else streams.set(name, [e]);
  }
  return streams;
}
