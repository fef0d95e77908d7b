import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { of } from 'rxjs';
import { DaneTestServer } from '../../../../test/support/dane-test-server';
import { RefuseJob } from '../errors/refuse-job';
import { DaneContext, type DaneTaskPayload } from './dane-context';
import { DaneExceptionFilter } from './dane-exception-filter';
import { DaneTransport } from './dane-transport';

const GENERATOR = { id: 'nest1', name: 'MEDIA', type: 'Software' as const, homepage: null };

@Controller()
class MediaController {
  @MessagePattern('LENGTH')
  async length(@Payload() data: DaneTaskPayload, @Ctx() ctx: DaneContext) {
    await ctx.saveResult({ url_length: data.document.target.url.length });
    return { state: 200, message: `url of ${ctx.getDocument()._id} measured` };
  }

  /** Everything through the context alone: task, document (string target.id), attempt, progress, a result. */
  @MessagePattern('ctxonly')
  async contextOnly(@Ctx() ctx: DaneContext) {
    await ctx.heartbeat('half way');
    const id = await ctx.saveResult({ key: ctx.task.key, target: ctx.document.target.id.toUpperCase(), attempt: ctx.attempt ?? null });
    ctx.log.info('ctx_only', 'all through DaneContext');
    if (ctx.signal.aborted || ctx.getTaskContext().task !== ctx.task) throw new Error('context out of step');
    return { state: 200, message: `result ${id} of ${ctx.task._id}` };
  }

  @MessagePattern('STREAMED')
  streamed() {
    return of({ state: 200, message: 'from an observable' });
  }

  @MessagePattern('BROKEN')
  broken(): never {
    throw new Error('model file missing');
  }

  @MessagePattern('BUSY')
  busy(): never {
    throw new RefuseJob('GPU busy');
  }
}

@Module({ controllers: [MediaController] })
class MediaModule {}

describe('DaneTransport (Nest microservice)', () => {
  let server: DaneTestServer;
  let app: INestMicroservice;

  beforeAll(async () => {
    server = await DaneTestServer.start('sdk-nest');
    app = await NestFactory.createMicroservice(MediaModule, {
      strategy: new DaneTransport({ queue: server.queue('MEDIA'), config: server.config(), generator: GENERATOR }),
      logger: false,
    });
    app.useGlobalFilters(new DaneExceptionFilter());
    await app.listen();
  });
  afterAll(async () => {
    await app.close();
    await server.cleanup();
  });

  it('binds #.<KEY> for every @MessagePattern and replies with the handler outcome', async () => {
    const document = server.document('http://example.com/abc.mp4');
    const id = await server.publishTask({ document, key: 'LENGTH' });
    const reply = await server.reply((r) => r.properties.correlationId === id);
    expect(reply.raw).toBe(`{"state": 200, "message": "url of ${document._id} measured"}`);
    const result = await server.result((r) => r.body.task_id === id);
    expect(result.body.payload).toEqual({ url_length: 'http://example.com/abc.mp4'.length });

    const streamed = await server.publishTask({ key: 'STREAMED' });
    expect((await server.reply((r) => r.properties.correlationId === streamed)).body).toEqual({ state: 200, message: 'from an observable' });
  });

  it('gives a handler the task, document, attempt, heartbeat and saveResult on DaneContext itself', async () => {
    const document = server.document('http://example.com/ctx.mp4', 'Video', 'itm-ctx');
    const id = await server.publishTask({ document, key: 'CTXONLY', attempt: 3 });
    const reply = await server.reply((r) => r.properties.correlationId === id && r.body.state === 200);
    const result = await server.result((r) => r.body.task_id === id);
    expect(result.body.payload).toEqual({ key: 'CTXONLY', target: 'ITM-CTX', attempt: 3 });
    expect(reply.body.message).toBe(`result ${result.properties.messageId} of ${id}`);
    const beats = server.replies.filter((r) => r.properties.correlationId === id && r.properties.headers?.['x-dane-kind'] === 'heartbeat');
    expect(beats.map((b) => b.body)).toContainEqual({ state: 102, message: 'half way' });
  });

  it('reports handler errors as 500 with their text, and RefuseJob as a refusal', async () => {
    const broken = await server.publishTask({ key: 'BROKEN' });
    expect((await server.reply((r) => r.properties.correlationId === broken)).body).toEqual({
      state: 500,
      message: 'Unhandled worker error: model file missing',
    });
    const busy = await server.publishTask({ key: 'BUSY' });
    const refused = await server.reply((r) => r.properties.correlationId === busy);
    expect(refused.body).toEqual({ state: 201, message: 'Refused by worker: GPU busy' });
    expect(refused.properties.headers?.['x-dane-kind']).toBe('refused');
  });
});
