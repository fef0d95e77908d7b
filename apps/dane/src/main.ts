import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { amqpSettings, applyHeapGrowing, DaneError, daneLogger, loadConfig, probeBroker } from '@dane/core';
import { bootstrapAdminKey, configureApiApp } from '@dane/api';
import { DaneModule } from './dane.module';

/** `npm start`: the whole system in one process on DANE.PORT (5500), PGlite storage, RabbitMQ on localhost. */
async function main(): Promise<void> {
  const { config, files } = loadConfig();
  Logger.overrideLogger(daneLogger(config));
  const logger = new Logger('dane');
  const heapGrowingPercent = applyHeapGrowing(config);
  logger.log(
    JSON.stringify({
      event: 'config_loaded',
      files,
      storage: config.STORAGE.TYPE,
      heap_growing_percent: heapGrowingPercent,
      malloc_arena_max: process.env.MALLOC_ARENA_MAX || null,
    }),
  );
  await probeBroker(amqpSettings(config));
  const app = await NestFactory.create(DaneModule.forRoot(), { logger: daneLogger(config), bodyParser: false });
  configureApiApp(app, config);
  app.enableShutdownHooks();
  await app.listen(Number(config.DANE.PORT), String(config.DANE.HOST));
  // First start with API keys on: an admin key, shown once on stderr.
  await bootstrapAdminKey(app);
  logger.log(JSON.stringify({ event: 'listening', url: `http://localhost:${config.DANE.PORT}/DANE/`, docs: `http://localhost:${config.DANE.PORT}/DANE/docs` }));
}

main().catch((e) => {
  // Start-up errors (bad config, unreachable broker or database) end the process with one clear line.
  console.error(e instanceof DaneError ? `dane: ${e.message}` : e);
  process.exit(1);
});
