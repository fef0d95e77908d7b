import { createServer } from 'node:net';

/**
 * Ports for the tests and the bench (compiled by `npm run build` too: node built-ins only).
 *
 * A free loopback port below the ephemeral range (32768+), where outgoing connections cannot take
 * it between the check and the server's bind, and away from 25672 (the shared RabbitMQ node's
 * distribution port) and 35672–35682 (rabbitmqctl's own distribution ports). `count` consecutive
 * ports are free from the one returned (a RabbitMQ node takes its distribution port at port + 1).
 * Ports handed out are not handed out again by this process. Nothing listens on the port, so it
 * also serves as "a port where the connection is refused".
 */
const taken = new Set<number>();
export async function freePort(count = 1): Promise<number> {
  for (let i = 0; i < 500; i++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const range = Array.from({ length: count }, (_, k) => port + k);
    if (range.some((p) => taken.has(p) || (p >= 25600 && p <= 25700))) continue;
    let all = true;
    for (const p of range) if (!(all = await canBind(p))) break;
    if (!all) continue;
    for (const p of range) taken.add(p);
    return port;
  }
  throw new Error(`no ${count} free consecutive port(s) found`);
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
