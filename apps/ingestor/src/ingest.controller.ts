import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IngestService } from '@caravan/ingest';
import type { BatchDecision, PartitionBatch } from '@caravan/kafka';

export const INGEST_BATCH = 'ingest.batch';

@Controller()
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  @MessagePattern(INGEST_BATCH)
  handle(@Payload() batch: PartitionBatch): Promise<BatchDecision> {
    return this.ingest.handleBatch(batch);
  }
}
