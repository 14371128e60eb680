import { Module } from '@nestjs/common';
import { DeadLetterOutbox } from './dead-letter-outbox';
import { InboundTopics } from './inbound-topics';
import { IngestController } from './ingest-consumer';
import { IngestService } from './ingest.service';
import { OffsetWatch } from './offset-watch';
import { RatesCache } from './rates-cache';
import { ReplayRequests } from './replay-requests';

/**
 * The ingest path: the batch handler the consumer calls (IngestController) and the parts it stands
 * on; the replays asked for.
 */
@Module({
  controllers: [IngestController],
  providers: [IngestService, RatesCache, DeadLetterOutbox, OffsetWatch, InboundTopics, ReplayRequests],
  exports: [IngestService],
})
export class IngestModule {}
