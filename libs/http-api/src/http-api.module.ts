import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { API_POOL, apiPoolProvider } from './api-pool';
import { AdminAudit } from './admin-auth/admin-audit.service';
import { AdminIdentities } from './admin-auth/admin-identities.service';
import { AdminTokenGuard } from './admin-token.guard';
import { AdminService } from './admin.service';
import { AdminRequestsService } from './admin-requests.service';
import { KpiReadRepository } from './kpi-read.repository';
import { PipelineStatusService } from './pipeline-status.service';
import { SnapshotStream } from './snapshot-stream.service';

/** What the api's controllers use. */
const SERVICES = [
  KpiReadRepository,
  SnapshotStream,
  AdminService,
  AdminRequestsService,
  AdminTokenGuard,
  AdminIdentities,
  AdminAudit,
  PipelineStatusService,
];

@Module({ providers: [apiPoolProvider, ...SERVICES], exports: [...SERVICES, API_POOL] })
export class HttpApiModule implements OnApplicationShutdown {
  constructor(@Inject(API_POOL) private readonly pool: Pool) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
