import { type DynamicModule, Module } from '@nestjs/common';
import type { AppName } from './config.schema';
import { type EnvSource, loadConfig } from './config';

/** Injection token of the parsed CaravanConfig. */
export const CONFIG = Symbol('CARAVAN_CONFIG');

@Module({})
export class ConfigModule {
  /** Parses the environment (or `env`, in tests) once for the whole app. */
  static forRoot(options: { app: AppName; env?: EnvSource }): DynamicModule {
    const config = loadConfig(options.app, options.env);
    return {
      module: ConfigModule,
      global: true,
      providers: [{ provide: CONFIG, useValue: config }],
      exports: [CONFIG],
    };
  }
}
