import { accessSync, constants, mkdirSync } from 'node:fs';

/** `dir`, created if needed, when this process may write there; undefined turns the caller's cache off. */
export function writableDir(dir: string): string | undefined {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return dir;
  } catch {
    return undefined;
  }
}
