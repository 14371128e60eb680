import { eventRegistry } from '@caravan/contract';
import type { OutcomeSummary, SimEvent, SimRecord } from './types';

/** The record of a valid event, exactly as EventProducer.toMessage would send it. */
export function acceptedRecord(event: SimEvent): SimRecord {
  const definition = eventRegistry.get(event.type);
  if (!definition) throw new Error(`unknown event type ${event.type}`);
  return {
    role: definition.topic,
    key: eventRegistry.keyOf(event.type, event.data),
    value: Buffer.from(JSON.stringify(event)),
    expected: { outcome: 'accepted' },
    event,
  };
}

/** Outcome counts of records, as the pipeline's counters must show them. */
export function summarize(records: Iterable<SimRecord>): OutcomeSummary {
  const summary: OutcomeSummary = { records: 0, accepted: 0, duplicate: 0, rejected: 0, rejectedByCode: {} };
  for (const { expected } of records) {
    summary.records += 1;
    summary[expected.outcome] += 1;
    if (expected.outcome === 'rejected')
      summary.rejectedByCode[expected.code] = (summary.rejectedByCode[expected.code] ?? 0) + 1;
  }
  return summary;
}
