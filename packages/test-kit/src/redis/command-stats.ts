/**
 * Counts the commands Redis clients send to a server, with MONITOR on a connection of
 * its own. Commands that scripts run inside Redis are counted apart (`inScripts`);
 * `INFO commandstats` would lump both together.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export interface CommandCounts {
  /** Commands sent by clients, by name, e.g. `{ hgetall: 1, evalsha: 1 }`. */
  sent: Record<string, number>;
  /** Commands run by Lua scripts inside the server. */
  inScripts: number;
  /** Every command with its arguments, as the server saw them (clients' and scripts'). */
  commands: string[][];
}

export interface CommandStats {
  /** Starts counting afresh. */
  reset(): Promise<void>;
  /** The counts since the last reset, once the server has reported everything sent so far. */
  read(): Promise<CommandCounts>;
  close(): Promise<void>;
}

export async function commandStats(port: number): Promise<CommandStats> {
  const admin = new Redis({ port, host: '127.0.0.1' });
  // monitor() opens a connection of its own; the one it was called on is closed at once.
  const base = new Redis({ port, host: '127.0.0.1' });
  const monitor = await base.monitor();
  await base.quit();
  let counts: CommandCounts = { sent: {}, inScripts: 0, commands: [] };
  const waiting = new Map<string, () => void>();

  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const name = args[0]?.toLowerCase() ?? '';
    if (name === 'echo' && waiting.has(args[1] ?? '')) {
      waiting.get(args[1]!)!();
      waiting.delete(args[1]!);
      return;
    }
    counts.commands.push(args);
    if (source === 'lua') counts.inScripts++;
    else counts.sent[name] = (counts.sent[name] ?? 0) + 1;
  });

  /** MONITOR reports in order: once our marker shows up, everything before it has. */
  async function flush(): Promise<void> {
    const marker = `marker-${randomBytes(6).toString('hex')}`;
    const seen = new Promise<void>((resolve) => waiting.set(marker, resolve));
    await admin.echo(marker);
    await seen;
  }

  return {
    async reset() {
      await flush();
      counts = { sent: {}, inScripts: 0, commands: [] };
    },
    async read() {
      await flush();
      return counts;
    },
    async close() {
      monitor.disconnect();
      await admin.quit();
    },
  };
}

/** The total of a `sent` record. */
export function totalCommands(sent: Record<string, number>): number {
  return Object.values(sent).reduce((sum, n) => sum + n, 0);
}
