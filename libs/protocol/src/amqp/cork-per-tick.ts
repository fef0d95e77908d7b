import type { Writable } from 'node:stream';

const CORKED = Symbol('dane.corkPerTick');

/**
 * Batches what is written to a socket during one turn of the event loop into one system call.
 * amqplib writes every frame separately (a publish is three: method, header, body), so a burst of
 * publishes — dispatch, events, replies, acks — cost one `writev` per frame; profiles showed ~15 %
 * of the server's and worker's CPU in them. The first write of a turn corks the socket and the turn
 * ends by uncorking it: the bytes go out together, in order, before any timer or I/O callback runs.
 * Idempotent per stream.
 */
export function corkPerTick(stream: Writable): void {
  const marked = stream as Writable & { [CORKED]?: true };
  if (marked[CORKED]) return;
  marked[CORKED] = true;
  const write = stream.write;
  let corked = false;
  const uncork = () => {
    corked = false;
    stream.uncork();
  };
  stream.write = function (this: Writable, ...args: Parameters<Writable['write']>) {
    if (!corked) {
      corked = true;
      stream.cork();
      process.nextTick(uncork);
    }
    return write.apply(this, args);
  } as Writable['write'];
}

/** The socket under an amqplib ChannelModel (its `connection.stream`), when there is one. */
export function amqpSocketOf(model: unknown): Writable | undefined {
  const stream = (model as { connection?: { stream?: unknown } } | undefined)?.connection?.stream;
  return stream && typeof (stream as Writable).write === 'function' && typeof (stream as Writable).cork === 'function' ? (stream as Writable) : undefined;
}
