import { Controller, Inject, type Type } from '@nestjs/common';
import { Ctx, EventPattern, type KafkaContext, Payload } from '@nestjs/microservices';
import { TutorialIngestService } from './tutorial-ingest.service';
import type { TutorialTopics } from './tutorial.tokens';

/**
 * The tutorial's controller: one @EventPattern per topic. Built per run because the bench's topic
 * names are unique per run and decorators take them at class definition.
 */
export function eventsController(topics: TutorialTopics): Type<unknown> {
  @Controller()
  class EventsController {
    constructor(@Inject(TutorialIngestService) private readonly ingest: TutorialIngestService) {}

    @EventPattern<string>(topics.bookings)
    onBooking(@Payload() value: Buffer | null, @Ctx() context: KafkaContext): Promise<void> {
      return this.ingest.handle(value, recordId(context));
    }

    @EventPattern<string>(topics.arrivals)
    onArrival(@Payload() value: Buffer | null, @Ctx() context: KafkaContext): Promise<void> {
      return this.ingest.handle(value, recordId(context));
    }

    @EventPattern<string>(topics.media)
    onMedia(@Payload() value: Buffer | null, @Ctx() context: KafkaContext): Promise<void> {
      return this.ingest.handle(value, recordId(context));
    }
  }
  return EventsController;
}

/** topic:partition:offset, to count each record once however often the group redelivers it. */
function recordId(context: KafkaContext): string {
  return `${context.getTopic()}:${context.getPartition()}:${context.getMessage().offset}`;
}
