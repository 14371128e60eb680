import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { InstanceRegistry } from './instance-registry.service';
import { ReadinessService } from './readiness.service';

@Module({
  controllers: [HealthController],
  providers: [ReadinessService, InstanceRegistry],
  exports: [ReadinessService, InstanceRegistry],
})
export class HealthModule {}
