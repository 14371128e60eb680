import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { type Readiness, ReadinessService } from './readiness.service';

@Controller('health')
export class HealthController {
  private readonly startedAt = Date.now();

  constructor(
    private readonly readiness: ReadinessService,
    @Inject(CONFIG) private readonly config: CaravanConfig,
  ) {}

  /** Liveness: the process runs its event loop. Never touches dependencies. */
  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok'; app: string; uptimeSeconds: number } {
    return { status: 'ok', app: this.config.app, uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000) };
  }

  /** Readiness: PostgreSQL answers, migrations are applied, Kafka answers; 503 otherwise. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response): Promise<Readiness & { app: string }> {
    const result = await this.readiness.check();
    res.status(result.status === 'ready' ? 200 : 503);
    return { app: this.config.app, ...result };
  }
}
