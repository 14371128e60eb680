import type { Rejection, ValidationResult, ValidEvent } from '@caravan/contract';
import type { NewEvent } from '@caravan/event-store';
import type { KafkaRecord } from '@caravan/kafka';

export type Outcome =
  | { kind: 'accepted'; record: KafkaRecord; event: ValidEvent }
  | { kind: 'duplicate'; record: KafkaRecord; event: ValidEvent }
  | { kind: 'rejected'; record: KafkaRecord; rejection: Rejection; eventId: string | null };

/** A valid event offered to the store, with the record that carried it. */
export type Candidate = ValidEvent & NewEvent;

/** The first record of each eventId in a batch, with its offset: the one offered to the event store. */
export function candidatesOf(results: Array<{ record: KafkaRecord; result: ValidationResult }>): Candidate[] {
  const seen = new Map<string, Candidate>();
  for (const { record, result } of results) {
    if (result.ok && !seen.has(result.event.eventId))
      seen.set(result.event.eventId, {
        ...result.event,
        source: { topic: record.topic, partition: record.partition, offset: record.offset },
      });
  }
  return [...seen.values()];
}

/**
 * Every record's outcome once the store has answered: `inserted` holds the eventIds this batch
 * appended, `storedHash` the content hash now stored for every candidate eventId. A record whose
 * content equals the stored content is a duplicate (unless it is the one that was appended);
 * any other content under that eventId is a conflict.
 */
export function decideOutcomes(
  results: Array<{ record: KafkaRecord; result: ValidationResult }>,
  inserted: Set<string>,
  storedHash: Map<string, string>,
): Outcome[] {
  const appended = new Set<string>();
  return results.map(({ record, result }): Outcome => {
    if (!result.ok) return { kind: 'rejected', record, rejection: result.rejection, eventId: result.eventId ?? null };
    const { event } = result;
    if (
      inserted.has(event.eventId) &&
      !appended.has(event.eventId) &&
      storedHash.get(event.eventId) === event.contentHash
    ) {
      appended.add(event.eventId);
      return { kind: 'accepted', record, event };
    }
    const stored = storedHash.get(event.eventId);
    if (stored === event.contentHash) return { kind: 'duplicate', record, event };
    return {
      kind: 'rejected',
      record,
      eventId: event.eventId,
      rejection: { code: 'conflict', detail: `eventId ${event.eventId} is already stored with other content` },
    };
  });
}
