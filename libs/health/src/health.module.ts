import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { InstanceRegistry } from './instance-registry.service';
import { MetricsController } from './metrics.controller';
import { ReadinessService } from './readiness.service';

@Module({
  controllers: [HealthController, MetricsController],
  providers: [ReadinessService, InstanceRegistry],
  exports: [ReadinessService, InstanceRegistry],
})
export class HealthModule {}
