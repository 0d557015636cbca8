/**
 * Private Redis for tests and benchmarks: a `redis-server` (or a cluster) of their own,
 * the one MONITOR counter of commands, and a proxy that counts round trips. Node only,
 * no vitest: benchmarks run it under tsx.
 */
export { type CommandCounts, type CommandStats, commandStats, totalCommands } from './command-stats';
export * from './redis-server';
export * from './round-trip-proxy';
