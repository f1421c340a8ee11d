import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** The repository root, from this file's place (infra/test/support). */
export const repoRoot = path.resolve(__dirname, '../../..');
export const repoPath = (relative: string) => path.join(repoRoot, relative);
export const readRepoFile = (relative: string) => fs.readFileSync(repoPath(relative), 'utf8');

/** YAML 1.1 merge keys (`<<: *anchor`) resolved, as docker compose and GitHub Actions read them. */
export function readYaml<T = Record<string, unknown>>(relative: string): T {
  return parse(readRepoFile(relative), { merge: true, strict: true, uniqueKeys: true }) as T;
}
