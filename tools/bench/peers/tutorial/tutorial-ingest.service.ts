import { Inject, Injectable } from '@nestjs/common';
import { validateRecord } from '@caravan/contract';
import { RateTable } from '@caravan/domain';
import { DEFAULT_RATES } from '@caravan/simulator';
import { EventsRepository } from './events.repository';
import { aggregateOf, type Upsert } from './tutorial.aggregates';
import { ON_HANDLED, type OnHandled, TUTORIAL_SETTINGS, type TutorialSettings } from './tutorial.tokens';

export type IngestStats = {
  handled: number;
  invalid: number;
  duplicates: number;
  validIds: Set<string>;
  redelivered: number;
};

/** Validates one message and stores it: what the tutorial's handler does, per message. */
@Injectable()
export class TutorialIngestService {
  readonly stats: IngestStats = { handled: 0, invalid: 0, duplicates: 0, validIds: new Set(), redelivered: 0 };
  // The group redelivers after a rebalance (at least once): records are counted by their offset.
  private readonly seen = new Set<string>();
  private readonly rates = new RateTable(DEFAULT_RATES);

  constructor(
    @Inject(EventsRepository) private readonly events: EventsRepository,
    @Inject(TUTORIAL_SETTINGS) private readonly settings: TutorialSettings,
    @Inject(ON_HANDLED) private readonly onHandled: OnHandled,
  ) {}

  async handle(value: Buffer | null, recordId: string): Promise<void> {
    const result = validateRecord(value, { nowMs: Date.now(), hasRate: () => true });
    const upsert = result.ok ? this.upsertOf(result.event) : null;
    if (!result.ok || upsert === null) {
      this.stats.invalid += 1;
    } else {
      // A valid record's bytes are JSON, stored as sent.
      const outcome = await this.events.store(result.event, (value as Buffer).toString('utf8'), upsert);
      if (outcome === 'duplicate') this.stats.duplicates += 1;
      this.stats.validIds.add(result.event.eventId);
    }
    if (this.seen.has(recordId)) this.stats.redelivered += 1;
    else this.seen.add(recordId);
    this.stats.handled = this.seen.size;
    this.onHandled(this.stats.handled);
  }

  /** null: a price in a currency without a rate, counted as invalid like a schema error. */
  private upsertOf(event: Parameters<typeof aggregateOf>[0]): Upsert | undefined | null {
    try {
      return aggregateOf(event, this.settings.timeZone, this.rates);
    } catch {
      return null;
    }
  }
}
