import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, type EnvSource } from '@caravan/config';
import { DatabaseModule } from '@caravan/database';
import { HealthModule } from '@caravan/health';
import { IngestModule } from '@caravan/ingest';
import { KafkaModule } from '@caravan/kafka';
import { LoggingModule } from '@caravan/runtime';

@Module({})
export class IngestorModule {
  /** `env` replaces the process environment (tests); omitted, the app reads its own. */
  static forRoot(env?: EnvSource): DynamicModule {
    return {
      module: IngestorModule,
      imports: [
        ConfigModule.forRoot({ app: 'ingestor', env }),
        LoggingModule,
        DatabaseModule,
        KafkaModule,
        HealthModule,
        IngestModule,
      ],
    };
  }
}
