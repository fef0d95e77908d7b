import 'reflect-metadata';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { applyHeapGrowing, DaneConfigModule, DaneError, daneLogger, loadConfig, StorageModule } from '@dane/core';
import { MetricsServerModule } from '@dane/core/metrics';
import { ResultsModule } from './results.module';

@Module({ imports: [DaneConfigModule.forRoot(), StorageModule.forRoot({ events: true }), ResultsModule, MetricsServerModule] })
class ResultsMainModule {}

/** Result intake alone (one replica of several, architecture principle 8). */
async function main(): Promise<void> {
  const { config } = loadConfig();
  const heapGrowingPercent = applyHeapGrowing(config);
  const app = await NestFactory.createApplicationContext(ResultsMainModule, { logger: daneLogger(config) });
  app.enableShutdownHooks();
  new Logger('results').log(JSON.stringify({ event: 'results_started', heap_growing_percent: heapGrowingPercent }));
}

main().catch((e) => {
  console.error(e instanceof DaneError ? `results: ${e.message}` : e);
  process.exit(1);
});
