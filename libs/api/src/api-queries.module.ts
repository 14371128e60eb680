import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { API_POOL, apiPoolProvider } from './api-pool';
import { AdminTokenGuard } from './admin-token.guard';
import { AdminService } from './admin.service';
import { KpiReadRepository } from './kpi-read.repository';
import { PipelineStatusService } from './pipeline-status.service';
import { SnapshotStream } from './snapshot-stream.service';

@Module({
  providers: [apiPoolProvider, KpiReadRepository, SnapshotStream, AdminService, AdminTokenGuard, PipelineStatusService],
  exports: [KpiReadRepository, SnapshotStream, AdminService, AdminTokenGuard, PipelineStatusService, API_POOL],
})
export class ApiQueriesModule implements OnApplicationShutdown {
  constructor(@Inject(API_POOL) private readonly pool: Pool) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
