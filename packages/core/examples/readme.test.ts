/*
 * The README's examples run as written: each block marked `<!-- example: <path> -->`
 * is that file, verbatim, and the file runs in its package's suite (the store
 * conformance example here, the adapter conformance example in @sess/express).
 * The JSDoc example of `describeAdapterConformance` is that same file.
 */
import { describe, expect, it } from 'vitest';

// The core is type-checked without Node's types; this file reads two files.
const fsModule = 'node:fs/promises';
const { readFile } = (await import(/* @vite-ignore */ fsModule)) as { readFile(path: URL, encoding: 'utf8'): Promise<string> };

const readmeUrl = new URL('../README.md', import.meta.url);
const readme = await readFile(readmeUrl, 'utf8');
const examples = [...readme.matchAll(/<!-- example: (\S+) -->\r?\n```ts\r?\n([\s\S]*?)\r?\n```/g)].map(([, path, block]) => ({
  path: path!,
  block: block!,
}));

describe('the README examples', () => {
  it('marks the store conformance example and the adapter conformance example', () => {
    expect(examples.map((example) => example.path)).toEqual([
      'examples/custom-store.ts',
      'examples/custom-store.test.ts',
      '../express/examples/adapter-conformance.test.ts',
    ]);
  });

  it.each(examples)('shows $path as the file is', async ({ path, block }) => {
    expect(block).toBe((await readFile(new URL(path, readmeUrl), 'utf8')).trimEnd());
  });

  it("gives describeAdapterConformance's JSDoc example as the README's adapter example", async () => {
    const source = await readFile(new URL('../src/testing/adapter-conformance.ts', import.meta.url), 'utf8');
    const jsdoc = /\* @example\n([\s\S]*?)\n \*\/\nexport function describeAdapterConformance/.exec(source)?.[1];
    const code = jsdoc?.replace(/^ \*( |$)/gm, '');
    expect(code).toBe(examples.find((example) => example.path.endsWith('adapter-conformance.test.ts'))?.block);
  });
});
