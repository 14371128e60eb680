import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { HttpApiModule, HttpErrorFilter } from '@caravan/http-api';
import { ConfigModule, type EnvSource } from '@caravan/config';
import { DatabaseModule } from '@caravan/database';
import { HealthModule } from '@caravan/health';
import { KafkaModule } from '@caravan/kafka';
import { LoggingModule } from '@caravan/runtime';
import { AdminController } from './admin.controller';
import { DocsController } from './docs.controller';
import { KpisController } from './kpis.controller';
import { PipelineController } from './pipeline.controller';
import { StreamController } from './stream.controller';

@Module({})
export class ApiModule {
  /** `env` replaces the process environment (tests); omitted, the app reads its own. */
  static forRoot(env?: EnvSource): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot({ app: 'api', env }),
        LoggingModule,
        DatabaseModule,
        KafkaModule,
        HealthModule,
        HttpApiModule,
      ],
      controllers: [StreamController, KpisController, PipelineController, AdminController, DocsController],
      providers: [{ provide: APP_FILTER, useClass: HttpErrorFilter }],
    };
  }
}
