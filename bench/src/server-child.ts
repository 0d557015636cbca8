/**
 * One server under test, in a process of its own so its CPU time is its own.
 * argv: server name, Redis URL. Over IPC it reports `{ type: 'ready', port }`, then
 * answers the parent's requests (each carries an `id` echoed in the reply):
 * `cpu-start`/`cpu-stop` (CPU time in between), `profile-start`/`profile-stop`
 * (a V8 CPU profile in between, written to `path`) and `close`.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { specOf, startServer } from './servers';

export type ChildRequest =
  | { id: number; type: 'cpu-start' | 'cpu-stop' | 'profile-start' | 'close' }
  | { id: number; type: 'profile-stop'; path: string };

export type ChildReply = { id: number; userUs?: number; systemUs?: number; error?: string };

const [name = '', redisUrl = ''] = process.argv.slice(2);
const server = await startServer(specOf(name).name, redisUrl);
let cpuStart = process.cpuUsage();
let inspector: Session | undefined;

async function handle(request: ChildRequest): Promise<Omit<ChildReply, 'id'>> {
  switch (request.type) {
    case 'cpu-start':
      cpuStart = process.cpuUsage();
      return {};
    case 'cpu-stop': {
      const usage = process.cpuUsage(cpuStart);
      return { userUs: usage.user, systemUs: usage.system };
    }
    case 'profile-start':
      inspector = new Session();
      inspector.connect();
      await inspector.post('Profiler.enable');
      await inspector.post('Profiler.start');
      return {};
    case 'profile-stop': {
      if (!inspector) throw new Error('no profile started');
      const { profile } = await inspector.post('Profiler.stop');
      writeFileSync(request.path, JSON.stringify(profile));
      inspector.disconnect();
      inspector = undefined;
      return {};
    }
    case 'close':
      await server.close();
      return {};
  }
}

process.on('message', (request: ChildRequest) => {
  // Exit only once the reply to `close` is flushed: exiting first left the parent awaiting it forever.
  const after = request.type === 'close' ? () => process.exit(0) : () => {};
  handle(request).then(
    (reply) => process.send!({ id: request.id, ...reply } satisfies ChildReply, after),
    (error: unknown) => process.send!({ id: request.id, error: String(error) } satisfies ChildReply, after),
  );
});
// The parent going away ends us too.
process.on('disconnect', () => process.exit(0));
process.send!({ type: 'ready', port: server.port });
