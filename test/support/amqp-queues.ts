import type { ChannelModel } from 'amqplib';

/**
 * What a passive declare from `conn` says of `queue` right now: `present` (a queue `conn` may use),
 * `locked` (another connection's exclusive queue: 405 RESOURCE_LOCKED) or `missing` (404). An error
 * closes the channel, so each check gets its own.
 */
export async function queueState(conn: ChannelModel, queue: string): Promise<'present' | 'locked' | 'missing'> {
  const ch = await conn.createChannel();
  ch.on('error', () => undefined);
  try {
    await ch.checkQueue(queue);
    await ch.close();
    return 'present';
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (code === 405) return 'locked';
    if (code === 404) return 'missing';
    throw err;
  }
}
