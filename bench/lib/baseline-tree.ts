import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { benchDir } from './fixtures';

/**
 * An older commit's sources, runnable next to the current ones, so that a benchmark measures
 * "before" and "after" in the same run on the same machine: `git archive` of the commit into
 * the bench folder, with this checkout's installed node_modules linked in (root) and copied
 * (the workspace packages' own folders hold relative links to their siblings). Dependencies are
 * today's; only our code is the old one.
 */
const repoRoot = path.resolve(import.meta.dirname, '../..');

export function baselineTree(ref: string): string {
  const commit = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd: repoRoot, encoding: 'utf8' }).trim();
  const dir = path.join(benchDir(), `baseline-${commit.slice(0, 12)}`);
  const done = path.join(dir, '.extracted');
  if (fs.existsSync(done)) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C "${dir}"`], { cwd: repoRoot });
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
  for (const group of ['apps', 'packages']) {
    for (const name of fs.readdirSync(path.join(repoRoot, group))) {
      const modules = path.join(repoRoot, group, name, 'node_modules');
      if (fs.existsSync(modules) && fs.existsSync(path.join(dir, group, name))) {
        execFileSync('cp', ['-a', modules, path.join(dir, group, name, 'node_modules')]);
      }
    }
  }
  fs.writeFileSync(done, commit);
  return dir;
}
