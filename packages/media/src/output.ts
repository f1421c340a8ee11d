import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * ffmpeg writes its output progressively, so a crash or cancel would leave a half-written file
 * at the final path that later stages (or a cache check) could mistake for a finished one.
 * Writing to a hidden sibling and renaming makes the output appear all at once or not at all.
 */
export async function writeAtomically<T>(output: string, write: (tempPath: string) => Promise<T>): Promise<T> {
  const tempPath = join(dirname(output), `.${basename(output)}.${randomBytes(4).toString('hex')}.partial`);
  try {
    const result = await write(tempPath);
    await rename(tempPath, output);
    return result;
  } catch (error) {
    await rm(tempPath, { force: true });
    throw error;
  }
}
