import { describe, expect, it } from 'vitest';
import { MIN_SECRET_LENGTH, resolveSecrets } from './secrets';

const PACKAGE = '@sess/test';
const a = 'secret-a-0123456789-0123456789-ab';
const b = 'secret-b-0123456789-0123456789-0123456';
const c = 'secret-c-0123456789-0123456789-0123456789-0123456789-0123456789';

function refusal(secret: unknown): TypeError {
  try {
    resolveSecrets(secret, PACKAGE);
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return error as TypeError;
  }
  throw new Error(`accepted ${JSON.stringify(secret)}`);
}

describe('resolveSecrets', () => {
  it('gives a single string secret the id 1, so it can later join a rotation map as { 1: old }', () => {
    expect(resolveSecrets(a, PACKAGE)).toEqual({ currentId: '1', byId: { 1: a } });
  });

  it('seals with the highest numeric id and keeps every listed secret for opening', () => {
    expect(resolveSecrets({ 1: a, 2: b }, PACKAGE)).toEqual({ currentId: '2', byId: { 1: a, 2: b } });
    expect(resolveSecrets({ 2: b, 1: a }, PACKAGE).currentId).toBe('2');
    expect(resolveSecrets({ 0: a }, PACKAGE).currentId).toBe('0');
  });

  it('compares ids as numbers, not as strings', () => {
    expect(resolveSecrets({ 9: a, 10: b, 2: c }, PACKAGE).currentId).toBe('10');
    expect(resolveSecrets({ 100: a, 99: b }, PACKAGE).currentId).toBe('100');
    expect(resolveSecrets({ 999999999: a, 1: b }, PACKAGE).currentId).toBe('999999999');
  });

  it(`accepts exactly ${MIN_SECRET_LENGTH} characters and refuses one fewer, naming the package and option`, () => {
    expect(() => resolveSecrets('0123456789'.repeat(4).slice(0, 32), PACKAGE)).not.toThrow();
    const error = refusal('0123456789'.repeat(4).slice(0, 31));
    expect(error.message).toMatch(/^@sess\/test: option `secret` must be at least 32 characters long \(got 31\)/);
    expect(error.message).toMatch(/openssl rand/);
  });

  it('refuses a placeholder of too few distinct characters, such as 32 spaces', () => {
    for (const placeholder of [' '.repeat(32), 'x'.repeat(32), 'abab'.repeat(8), 'aaaaabbbbbcccccdddddeeeeeaaaaaaa']) {
      expect(refusal(placeholder).message).toMatch(
        /^@sess\/test: option `secret` has fewer than 6 distinct characters: that is a placeholder/,
      );
    }
    expect(refusal({ 1: a, 2: ' '.repeat(40) }).message).toMatch(/option `secret\.2` has fewer than 6 distinct/);
  });

  it('refuses a short secret inside a map, naming its id', () => {
    expect(refusal({ 1: a, 2: 'short' }).message).toMatch(/^@sess\/test: option `secret\.2` must be at least 32/);
  });

  it('refuses non-integer, negative, padded or oversized ids', () => {
    for (const id of ['a', '1.5', '-1', '01', ' 1', '1e3', '', '1234567890', '__proto__']) {
      const error = refusal({ [id]: a });
      expect(error.message, id).toMatch(/^@sess\/test: option `secret\..*` must be keyed by a non-negative integer id/);
    }
  });

  it('refuses an empty map, and values that are neither a string nor a map', () => {
    expect(refusal({}).message).toMatch(/^@sess\/test: option `secret` must be an id map with at least one secret/);
    for (const bad of [undefined, null, 42, [a], true]) {
      expect(refusal(bad).message).toMatch(/^@sess\/test: option `secret` must be a string of at least 32 characters/);
    }
  });

  it('refuses a map entry that is not a string', () => {
    expect(refusal({ 1: 42 }).message).toMatch(/^@sess\/test: option `secret\.1` must be a string \(got 42\)/);
  });

  it('never echoes a rejected secret back in the message', () => {
    const almost = 'hunter2-hunter2-hunter2-hunter2';
    expect(refusal(almost).message).not.toContain('hunter2');
    expect(refusal({ 1: almost }).message).not.toContain('hunter2');
  });
});
