import { Controller, Get, HttpCode, Inject, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { type LoopReport, loops } from '@caravan/observability';
import { ReadinessService } from './readiness.service';
import { runCheck } from './run-check';

@Controller('health')
export class HealthController {
  private readonly startedAt = Date.now();

  constructor(
    private readonly readiness: ReadinessService,
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(CONFIG) private readonly config: CaravanConfig,
  ) {}

  /**
   * Liveness: the process runs its event loop and every background loop it declared (the
   * ingestor's consumer, its dead-letter relay, …) runs and shows signs of life; 503 naming the
   * ones that stopped or stalled. Never touches dependencies: a PostgreSQL or Kafka outage is
   * readiness's business.
   */
  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok'; app: string; uptimeSeconds: number; loops: LoopReport[] } {
    const uptimeSeconds = Math.round((Date.now() - this.startedAt) / 1000);
    const failing = loops.failing();
    if (failing.length > 0)
      throw new ServiceUnavailableException({ status: 'down', app: this.config.app, uptimeSeconds, failing });
    return { status: 'ok', app: this.config.app, uptimeSeconds, loops: loops.reports() };
  }

  /**
   * Readiness (terminus): what this app needs for its job answers (see ReadinessService.checks);
   * 503 with the failing checks otherwise.
   */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check(
      this.readiness.checks().map((entry) => async (): Promise<HealthIndicatorResult> => {
        const result = await runCheck(entry);
        const session = this.indicators.check(entry.name);
        return result.status === 'up'
          ? session.up({ detail: result.detail ?? 'ok' })
          : session.down({ detail: result.detail ?? 'down' });
      }),
    );
  }
}
