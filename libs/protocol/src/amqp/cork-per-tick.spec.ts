import { Writable } from 'node:stream';
import { corkPerTick } from './cork-per-tick';

/** A writable that records each batch the stream hands down (one system call on a socket). */
function recorder(): { stream: Writable; batches: string[][] } {
  const batches: string[][] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      batches.push([String(chunk)]);
      cb();
    },
    writev(chunks, cb) {
      batches.push(chunks.map((c) => String(c.chunk)));
      cb();
    },
  });
  return { stream, batches };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('corkPerTick', () => {
  it('hands everything written in one turn of the event loop down as one batch, in order', async () => {
    const { stream, batches } = recorder();
    corkPerTick(stream);
    stream.write('method');
    stream.write('header');
    stream.write('body');
    expect(batches).toEqual([]); // nothing before the turn ends
    await turn();
    expect(batches).toEqual([['method', 'header', 'body']]);
    stream.write('next');
    await turn();
    expect(batches).toEqual([['method', 'header', 'body'], ['next']]);
  });

  it('without it, the first write goes down alone (what amqplib does per frame)', async () => {
    const { stream, batches } = recorder();
    stream.write('method');
    stream.write('header');
    stream.write('body');
    await turn();
    expect(batches[0]).toEqual(['method']);
    expect(batches.length).toBeGreaterThan(1);
  });

  it('wraps a stream once, however often it is applied', async () => {
    const { stream, batches } = recorder();
    corkPerTick(stream);
    corkPerTick(stream);
    stream.write('a');
    stream.write('b');
    await turn();
    expect(batches).toEqual([['a', 'b']]);
    expect(stream.writableCorked).toBe(0);
  });
});
