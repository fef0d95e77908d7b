import 'reflect-metadata';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DaneConfigModule, DaneError, daneLogger, loadConfig, StorageModule } from '@dane/core';
import { MetricsServerModule } from '@dane/core/metrics';
import { SchedulerModule } from './scheduler.module';

@Module({ imports: [DaneConfigModule.forRoot(), StorageModule.forRoot({ events: true }), SchedulerModule, MetricsServerModule] })
class SchedulerMainModule {}

/** The scheduler alone (one replica of several, architecture principle 8). */
async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(SchedulerMainModule, { logger: daneLogger(loadConfig().config) });
  app.enableShutdownHooks();
  new Logger('scheduler').log(JSON.stringify({ event: 'scheduler_started' }));
}

main().catch((e) => {
  console.error(e instanceof DaneError ? `scheduler: ${e.message}` : e);
  process.exit(1);
});
