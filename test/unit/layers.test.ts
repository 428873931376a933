// The layers of docs/architecture.md, read off the source: which folder may import which, and
// no import cycle anywhere (each file's relative imports, resolved to files, followed).
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const FOLDERS = ['bin', 'lib', 'lambdas', 'sim', 'local', 'cli', 'chaos', 'bench'];

/**
 * Folder -> the folders it must never import from. The simulator still shares ONTAP's
 * vocabulary with the client (lambdas/ontap/types.ts, error-codes.ts): a known coupling, allowed
 * here by name and nothing more; what ONTAP really accepts is held by test/fixtures/ontap-spec.json.
 */
const ALLOWED = new Set(['lambdas/ontap/types.ts', 'lambdas/ontap/error-codes.ts']);

const NEVER: Record<string, string[]> = {
  lambdas: ['lib', 'local', 'cli', 'chaos', 'sim', 'bench', 'bin'],
  lib: ['local', 'cli', 'chaos', 'sim', 'bench', 'bin'],
  sim: ['lambdas', 'lib', 'local', 'cli', 'chaos', 'bench', 'bin'],
  local: ['cli', 'chaos', 'bench', 'bin'],
  chaos: ['cli', 'bench', 'bin'],
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The files a file imports by relative path (import, export ... from, require, import()). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)'(\.{1,2}\/[^']+)'/g)].map(
    (m) => m[1],
  );
  return specifiers
    .map((s) => resolve(path.resolve(path.dirname(file), s)))
    .filter((f): f is string => f !== undefined);
}

function resolve(base: string): string | undefined {
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

const folderOf = (file: string) => path.relative(ROOT, file).split(path.sep)[0];

const files = FOLDERS.flatMap((folder) => sourceFiles(path.join(ROOT, folder)));
const graph = new Map(files.map((file) => [file, importsOf(file)]));

describe('the layers of the source', () => {
  it('reads the source (the check is not vacuous)', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(graph.get(path.join(ROOT, 'cli', 'demo.ts'))?.some((f) => folderOf(f) === 'chaos')).toBe(true);
  });

  it.each(Object.entries(NEVER))('%s imports nothing from %j', (folder, never) => {
    const offending = [...graph]
      .filter(([file]) => folderOf(file) === folder)
      .flatMap(([file, imports]) =>
        imports
          .filter(
            (f) => never.includes(folderOf(f)) && !(folder === 'sim' && ALLOWED.has(path.relative(ROOT, f))),
          )
          .map((f) => `${path.relative(ROOT, file)} -> ${path.relative(ROOT, f)}`),
      );
    expect(offending).toEqual([]);
  });

  it('has no import cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push(
          [...trail.slice(trail.indexOf(file)), file].map((f) => path.relative(ROOT, f)).join(' -> '),
        );
        return;
      }
      state.set(file, 'visiting');
      for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
