import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, type EnvSource } from '@caravan/config';
import { DatabaseModule } from '@caravan/database';
import { HealthModule } from '@caravan/health';
import { KafkaModule } from '@caravan/kafka';

@Module({})
export class ApiModule {
  /** `env` replaces the process environment (tests); omitted, the app reads its own. */
  static forRoot(env?: EnvSource): DynamicModule {
    return {
      module: ApiModule,
      imports: [ConfigModule.forRoot({ app: 'api', env }), DatabaseModule, KafkaModule, HealthModule],
    };
  }
}
