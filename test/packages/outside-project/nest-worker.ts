// A Nest microservice worker as a team writes it in its own repository: @dane/worker/nest's transport.
import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { NeedsPerson, type Outcome } from '@dane/worker';
import { DaneContext, DaneExceptionFilter, DaneTransport, type DaneTaskPayload } from '@dane/worker/nest';

const KEY = process.env.LINES_KEY ?? 'LINES';

@Controller()
class LinesController {
  @MessagePattern(KEY)
  async lines(@Payload() { document }: DaneTaskPayload, @Ctx() ctx: DaneContext): Promise<Outcome> {
    const text = await readFile(document.target.url, 'utf8').catch(() => {
      throw new NeedsPerson(`no file at ${document.target.url}`, { state: 404 });
    });
    const lines = text.split('\n').filter((l) => l.trim() !== '').length;
    await ctx.saveResult({ lines });
    return { state: 200, message: `${lines} lines` };
  }
}

@Module({ controllers: [LinesController] })
class LinesModule {}

async function main(): Promise<void> {
  const app = await NestFactory.createMicroservice(LinesModule, {
    strategy: new DaneTransport({ queue: `${KEY.toLowerCase()}_queue` }),
    logger: ['error', 'warn'],
  });
  app.useGlobalFilters(new DaneExceptionFilter()); // typed errors reach the transport as thrown
  await app.listen();
  process.stdout.write(JSON.stringify({ event: 'nest_worker_listening', key: KEY }) + '\n');
  const stop = () => void app.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
void main();
