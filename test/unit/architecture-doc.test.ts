// docs/architecture.md against the tree: every file or folder its layout table names exists
// (a bare file name is looked up in its row's folders), and it points at nothing outside the
// repository.
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const DOC = fs.readFileSync(path.join(ROOT, 'docs', 'architecture.md'), 'utf8');

/** The layout table's rows: the first cell's paths, and every path-like name in the row. */
function layoutRows(): { folders: string[]; names: string[] }[] {
  return DOC.split('\n')
    .filter((line) => /^\| `[^`]+`/.test(line))
    .map((line) => {
      const cells = line.split('|').slice(1, -1);
      const ticked = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
      const folders = ticked(cells[0]).map((p) => (p.endsWith('/') ? p : path.posix.dirname(p)));
      const names = ticked(cells.slice(0, 2).join('|')).filter((n) =>
        /^[\w./-]+\.(ts|js|json)$|^[\w.-]+\/([\w./-]*\/)?$/.test(n),
      );
      return { folders, names };
    });
}

function exists(name: string, folders: string[]): boolean {
  if (fs.existsSync(path.join(ROOT, name))) return true;
  // A bare name, or one relative to the row's folder (or a folder under it).
  return folders.some((folder) => {
    const base = path.join(ROOT, folder);
    if (fs.existsSync(path.join(base, name))) return true;
    return (
      fs.existsSync(base) &&
      fs
        .readdirSync(base, { withFileTypes: true })
        .some((e) => e.isDirectory() && fs.existsSync(path.join(base, e.name, name)))
    );
  });
}

describe('docs/architecture.md', () => {
  it('names only files and folders that exist', () => {
    const rows = layoutRows();
    expect(rows.length).toBeGreaterThan(10);
    const missing = rows.flatMap(({ folders, names }) => names.filter((n) => !exists(n, folders)));
    expect(missing).toEqual([]);
  });

  it('points at nothing outside the repository', () => {
    expect(DOC.match(/\.\.\/|https?:\/\/\S+/g) ?? []).toEqual([]);
  });
});
