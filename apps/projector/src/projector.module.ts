import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, type EnvSource } from '@caravan/config';
import { DatabaseModule } from '@caravan/database';
import { HealthModule } from '@caravan/health';
import { KafkaModule } from '@caravan/kafka';
import { LoggingModule } from '@caravan/runtime';
import { ProjectionsModule } from '@caravan/projections';

@Module({})
export class ProjectorModule {
  /** `env` replaces the process environment (tests); omitted, the app reads its own. */
  static forRoot(env?: EnvSource): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [
        ConfigModule.forRoot({ app: 'projector', env }),
        LoggingModule,
        DatabaseModule,
        KafkaModule,
        HealthModule,
        ProjectionsModule,
      ],
    };
  }
}
