import { Module } from '@nestjs/common';
import { DeadLetterOutbox } from './dead-letter-outbox';
import { InboundTopics } from './inbound-topics';
import { IngestController } from './ingest-consumer';
import { IngestService } from './ingest.service';
import { OffsetWatch } from './offset-watch';
import { RatesCache } from './rates-cache';

/** The ingest path: the batch handler the consumer calls (IngestController) and the parts it stands on. */
@Module({
  controllers: [IngestController],
  providers: [IngestService, RatesCache, DeadLetterOutbox, OffsetWatch, InboundTopics],
  exports: [IngestService],
})
export class IngestModule {}
