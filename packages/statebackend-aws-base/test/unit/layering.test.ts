import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The layers of src/, read from the imports themselves: a change that makes an import run back
 * up fails here, naming the files. Type-only imports count: a reader follows them all the same.
 */
const SRC = resolve(__dirname, '..', '..', 'src');

/** Relative module specifiers of `import … from`, `export … from`, `import '…'` and `import('…')`. */
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)'(\.{1,2}\/[^']+)'/g;

interface Import {
  /** Both relative to src/, e.g. `checkpoint/restore/checkpoint-source.ts`. */
  readonly from: string;
  readonly to: string;
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): Import[] {
  const from = relative(SRC, file);
  return [...readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)].map((match) => ({
    from,
    to: relative(SRC, resolve(dirname(file), (match[1] as string).replace(/\.js$/, '.ts'))),
  }));
}

/** `checkpoint` for `checkpoint/restore/x.ts`; a file directly under src/ is its own folder. */
const folderOf = (path: string): string => path.split('/')[0] as string;

const imports = sourceFiles(SRC).flatMap(importsOf);

/** Every cycle of folders that import each other, each as the imports that close it. */
function folderCycles(): string[][] {
  const edges = new Map<string, Map<string, Import>>();
  for (const i of imports) {
    const [a, b] = [folderOf(i.from), folderOf(i.to)];
    if (a === b) continue;
    const out = edges.get(a) ?? new Map<string, Import>();
    if (!out.has(b)) out.set(b, i);
    edges.set(a, out);
  }
  const cycles: string[][] = [];
  const done = new Set<string>();
  const visit = (folder: string, path: string[]): void => {
    const at = path.indexOf(folder);
    if (at >= 0) {
      const loop = [...path.slice(at), folder];
      cycles.push(
        loop.slice(1).map((to, k) => {
          const i = edges.get(loop[k] as string)?.get(to) as Import;
          return `${i.from} -> ${i.to}`;
        }),
      );
      return;
    }
    if (done.has(folder)) return;
    for (const next of edges.get(folder)?.keys() ?? []) visit(next, [...path, folder]);
    done.add(folder);
  };
  for (const folder of edges.keys()) visit(folder, []);
  return cycles;
}

describe('the layers of src/', () => {
  it('reads the imports it checks', () => {
    expect(imports.some((i) => i.from.startsWith('heap/') && i.to.startsWith('checkpoint/'))).toBe(true);
  });

  it('checkpoint/ (storage, formats, metadata, catalog, restore planning) imports nothing of heap/', () => {
    const upward = imports.filter((i) => i.from.startsWith('checkpoint/') && i.to.startsWith('heap/'));
    expect(upward.map((i) => `${i.from} -> ${i.to}`)).toEqual([]);
  });

  it('has no two top-level folders that import each other, directly or around a loop', () => {
    expect(folderCycles()).toEqual([]);
  });
});
