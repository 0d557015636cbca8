/** Clients for the servers the global setup started, and a key prefix per test file. */
import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { inject } from 'vitest';

/** A prefix no other test uses, so tests can share one server and run in parallel. */
export function uniquePrefix(label: string): string {
  return `test:${label}:${randomBytes(4).toString('hex')}:`;
}

export function singleNodeClient(): Redis {
  return new Redis(inject('redisUrl'));
}

export function clusterClient(): Cluster {
  return new Cluster(inject('redisClusterPorts').map((port) => ({ host: '127.0.0.1', port })));
}
