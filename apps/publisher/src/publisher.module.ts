import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, type EnvSource } from '@caravan/config';
import { DatabaseModule } from '@caravan/database';
import { HealthModule } from '@caravan/health';
import { KafkaModule } from '@caravan/kafka';
import { LoggingModule } from '@caravan/runtime';
import { SnapshotsModule } from '@caravan/publisher';

@Module({})
export class PublisherModule {
  /** `env` replaces the process environment (tests); omitted, the app reads its own. */
  static forRoot(env?: EnvSource): DynamicModule {
    return {
      module: PublisherModule,
      imports: [
        ConfigModule.forRoot({ app: 'publisher', env }),
        LoggingModule,
        DatabaseModule,
        KafkaModule,
        HealthModule,
        SnapshotsModule,
      ],
    };
  }
}
