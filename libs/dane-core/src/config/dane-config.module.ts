import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { loadConfig, LoadConfigOptions } from '@dane/protocol';

/**
 * @nestjs/config fed by the layered DANE loader: `config.get('RABBITMQ.HOST')`. Loading fails
 * start-up with a ConfigError that names the file and the key. Global (ConfigModule `isGlobal`),
 * the standard Nest pattern for configuration: the root module loads it once and every module reads
 * its section through ConfigService without importing it. The only global module besides the
 * store the root picks (StorageModule.forRoot); nothing is injected optionally from either.
 */
@Module({})
export class DaneConfigModule {
  static forRoot(options: LoadConfigOptions = {}): DynamicModule {
    return {
      module: DaneConfigModule,
      global: true,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          skipProcessEnv: true,
          load: [() => loadConfig(options).config],
        }),
      ],
      exports: [ConfigModule],
    };
  }
}
