import 'reflect-metadata';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { applyHeapGrowing, DaneConfigModule, DaneError, daneLogger, loadConfig, StorageModule } from '@dane/core';
import { MetricsServerModule } from '@dane/core/metrics';
import { SchedulerModule } from './scheduler.module';

@Module({ imports: [DaneConfigModule.forRoot(), StorageModule.forRoot({ events: true }), SchedulerModule, MetricsServerModule] })
class SchedulerMainModule {}

/** The scheduler alone (one replica of several, architecture principle 8). */
async function main(): Promise<void> {
  const { config } = loadConfig();
  const heapGrowingPercent = applyHeapGrowing(config);
  const app = await NestFactory.createApplicationContext(SchedulerMainModule, { logger: daneLogger(config) });
  app.enableShutdownHooks();
  new Logger('scheduler').log(JSON.stringify({ event: 'scheduler_started', heap_growing_percent: heapGrowingPercent }));
}

main().catch((e) => {
  console.error(e instanceof DaneError ? `scheduler: ${e.message}` : e);
  process.exit(1);
});
