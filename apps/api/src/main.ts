import { ConsoleLogger, Logger, LogLevel } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { ApiAppModule } from './api-app.module';
import { configureApiApp } from './configure-api-app';

const LEVELS: Record<string, LogLevel[]> = {
  DEBUG: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
  INFO: ['fatal', 'error', 'warn', 'log'],
  WARNING: ['fatal', 'error', 'warn'],
  ERROR: ['fatal', 'error'],
};

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(ApiAppModule, { bufferLogs: true, bodyParser: false });
  const config = app.get(ConfigService);
  const level = String(config.get('LOGGING.LEVEL') ?? 'INFO').toUpperCase();
  app.useLogger(new ConsoleLogger({ json: config.get('LOGGING.FORMAT') !== 'text', logLevels: LEVELS[level] ?? LEVELS.INFO }));
  app.enableShutdownHooks();
  configureApiApp(app, config);
  const host = String(config.get('DANE.HOST'));
  const port = Number(config.get('DANE.PORT'));
  await app.listen(port, host);
  new Logger('DaneApi').log(JSON.stringify({ event: 'api_listening', host, port, docs: `/DANE/docs`, openapi: '/DANE/swagger.json' }));
}

bootstrap().catch((err) => {
  new Logger('DaneApi').fatal(JSON.stringify({ event: 'api_start_failed', error: String(err?.message ?? err) }));
  process.exit(1);
});
