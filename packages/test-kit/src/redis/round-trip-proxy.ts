/**
 * Counts round trips between Redis clients and a server: a loopback TCP proxy that
 * counts a new round trip each time a client sends after it last received. Commands
 * a client writes together (a pipeline, or calls started in the same tick) make one
 * round trip; a command that has to wait for an earlier reply starts another.
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface RoundTripProxy {
  readonly port: number;
  readonly url: string;
  /** Round trips since the last reset, over every connection through the proxy. */
  roundTrips(): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startRoundTripProxy(targetPort: number): Promise<RoundTripProxy> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ port: targetPort, host: '127.0.0.1' });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client);
    sockets.add(upstream);
    // Whether this connection's client has sent since it last received.
    let sending = false;
    client.on('data', (chunk) => {
      if (!sending) {
        sending = true;
        count++;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      sending = false;
      client.write(chunk);
    });
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    roundTrips: () => count,
    reset: () => {
      count = 0;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
