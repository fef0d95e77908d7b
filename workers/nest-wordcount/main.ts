import { NestFactory } from '@nestjs/core';
import { loadWorkerConfig } from '@dane/worker';
import { DaneExceptionFilter, DaneTransport } from '@dane/worker/nest';
import { AppModule } from './app.module';
import { wordcountSettings } from './wordcount-settings';

/**
 * node dist/workers/nest-wordcount/main.js — a DANE worker as a Nest microservice: the DaneTransport
 * strategy consumes the queue and binds `#.WORDCOUNT` for the controller's @MessagePattern('WORDCOUNT').
 * Configured by base_config.yml beside the source, ./config.yml and DANE_NEST_WORDCOUNT_WORKER__* variables;
 * the broker and the rest as every worker (DANE_RABBITMQ__HOST, …). SIGTERM finishes the running tasks first.
 */
async function main(): Promise<void> {
  const config = loadWorkerConfig(__dirname);
  const settings = wordcountSettings(config);
  const app = await NestFactory.createMicroservice(AppModule.forSettings(settings), {
    strategy: new DaneTransport({ queue: settings.queue, concurrency: settings.concurrency, config }),
    logger: ['error', 'warn'],
  });
  app.useGlobalFilters(new DaneExceptionFilter()); // keeps refusals and the text of errors in the replies
  app.enableShutdownHooks(); // SIGTERM/SIGINT → app.close() → the transport stops taking tasks and drains
  await app.listen();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
