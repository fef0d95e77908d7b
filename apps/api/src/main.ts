import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { applyHeapGrowing, daneLogger, loadConfig } from '@dane/core';
import { ApiAppModule } from './api-app.module';
import { configureApiApp } from './configure-api-app';

/** The REST API alone (one replica of several, architecture principle 8). */
async function bootstrap(): Promise<void> {
  const { config } = loadConfig();
  const heapGrowingPercent = applyHeapGrowing(config);
  const app = await NestFactory.create(ApiAppModule, { logger: daneLogger(config), bodyParser: false });
  app.enableShutdownHooks();
  configureApiApp(app, config);
  const host = String(config.DANE.HOST);
  const port = Number(config.DANE.PORT);
  await app.listen(port, host);
  new Logger('DaneApi').log(JSON.stringify({ event: 'api_listening', host, port, heap_growing_percent: heapGrowingPercent, docs: `/DANE/docs`, openapi: '/DANE/swagger.json' }));
}

bootstrap().catch((err) => {
  new Logger('DaneApi').fatal(JSON.stringify({ event: 'api_start_failed', error: String(err?.message ?? err) }));
  process.exit(1);
});
