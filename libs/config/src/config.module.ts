import { type DynamicModule, Module } from '@nestjs/common';
import type { AppName } from './config.schema';
import { type CaravanConfig, type EnvSource, loadConfig } from './config';

/** Injection token of the parsed CaravanConfig. */
export const CONFIG = Symbol('CARAVAN_CONFIG');

/** The configuration each forRoot() parsed, by the module it returned (see configOf). */
const parsed = new WeakMap<DynamicModule, CaravanConfig>();

@Module({})
export class ConfigModule {
  /** Parses the environment (or `env`, in tests) once for the whole app. */
  static forRoot(options: { app: AppName; env?: EnvSource }): DynamicModule {
    const config = loadConfig(options.app, options.env);
    const module: DynamicModule = {
      module: ConfigModule,
      global: true,
      providers: [{ provide: CONFIG, useValue: config }],
      exports: [CONFIG],
    };
    parsed.set(module, config);
    return module;
  }

  /**
   * The configuration an app's root module imports, before Nest builds the app: what the HTTP
   * server must know at creation (its TLS certificate) comes from the same parse as the rest.
   */
  static configOf(root: DynamicModule): CaravanConfig | undefined {
    for (const imported of root.imports ?? []) {
      const config = parsed.get(imported as DynamicModule);
      if (config) return config;
    }
    return undefined;
  }
}
