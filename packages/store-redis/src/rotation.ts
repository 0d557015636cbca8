/**
 * Id rotation (`regenerate()`, sign-in; issue 14, point 17): the record moves to a new
 * key only while the old one is live, and never undoes a revocation. The README's "Id
 * rotation" section gives the reasoning for the Cluster steps.
 */
import type { SessionMeta, SessionRecord } from '@sess/core/store';
import type { ScriptRunner } from './engine';
import type { RedisCommandPort } from './port';
import { claimScript, rotateIndexScript, rotateScript } from './scripts';

export interface RotationContext {
  readonly port: RedisCommandPort;
  readonly runScript: ScriptRunner;
  readonly now: () => number;
  readonly keys: {
    sessionKey(key: string): string;
    userIndexKey(userId: string): string;
    revokingKey(userId: string): string;
  };
  /** The new user's index write, as a session write sends it. */
  indexWrite(key: string, meta: SessionMeta): Promise<unknown> | undefined;
}

/** `rotate`, given the new record already encoded (`text`). */
export function createRotation(context: RotationContext) {
  const { port, runScript, now, keys, indexWrite } = context;

  /** In steps, for a cluster (the keys sit in different slots) or a change of user. */
  async function inSteps(fromKey: string, toKey: string, record: SessionRecord, text: string): Promise<boolean> {
    const nowMs = String(now());
    const claimed = await runScript(claimScript, [keys.sessionKey(fromKey)], [nowMs]);
    if (!Array.isArray(claimed)) return false;
    const oldUser = String(claimed[1] ?? '');
    // The new record is written before the index moves: a sign-out everywhere that takes
    // the index after the move finds the new key, and finds it written.
    const newUserIndex = oldUser === record.userId ? undefined : indexWrite(toKey, record);
    await Promise.all([port.set(keys.sessionKey(toKey), text, record.expiresAtMs), newUserIndex]);
    if (oldUser === '') return true;
    const moved = await runScript(
      rotateIndexScript,
      [keys.userIndexKey(oldUser), keys.revokingKey(oldUser)],
      [fromKey, toKey, String(record.expiresAtMs), nowMs, oldUser === record.userId ? '1' : '0'],
    );
    if (Number(moved) === 1) return true;
    // The old user's sign-out everywhere began after the claim: it stays signed out.
    await port.del(keys.sessionKey(toKey));
    return false;
  }

  return async function rotate(fromKey: string, toKey: string, record: SessionRecord, text: string): Promise<boolean> {
    if (port.cluster) return inSteps(fromKey, toKey, record, text);
    const { userId } = record;
    const scriptKeys = [keys.sessionKey(fromKey), keys.sessionKey(toKey)];
    if (userId !== undefined) scriptKeys.push(keys.userIndexKey(userId), keys.revokingKey(userId));
    const args = [text, String(record.expiresAtMs), userId ?? '', String(now()), fromKey, toKey];
    const rotated = Number(await runScript(rotateScript, scriptKeys, args));
    // -1: the old record belongs to another user, whose index the script was not given.
    return rotated === -1 ? inSteps(fromKey, toKey, record, text) : rotated === 1;
  };
}
