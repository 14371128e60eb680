import { Controller, Get } from '@nestjs/common';
import { PipelineStatusService } from '@caravan/http-api';

@Controller('v1/pipeline')
export class PipelineController {
  constructor(private readonly status: PipelineStatusService) {}

  /**
   * The pipeline's health in aggregates (the dashboard's strip): records consumed, accepted,
   * duplicates, rejections by code, consumer lag, projection lag, snapshot age, dead letters
   * pending. Read-only and without record contents, so not behind the admin token.
   */
  @Get()
  summary() {
    return this.status.summary();
  }
}
