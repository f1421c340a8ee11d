import type { Storage } from './storage';

/**
 * One stored object as a local file for several steps of a stage, fetched once.
 *
 * `Storage.withLocalFile` scopes the file to one callback: on S3 each call downloads the object
 * again. A transcribe stage reads its input up to three times (the probe, the content hash and
 * the thumbnail, then the audio extraction), so a 2 GB upload on S3 would cross the network
 * twice. This keeps one `withLocalFile` scope open, started on the first `path()`, until
 * `release()`, so every backend keeps its own rules for where the copy lives and when it goes.
 */
export type HeldLocalFile = {
  /** The local path; the first call fetches the object (a missing one rejects with NOT_FOUND). */
  path(): Promise<string>;
  /** Ends the scope (the S3 copy is removed); idempotent; a later `path()` fetches again. */
  release(): Promise<void>;
};

export function holdLocalFile(storage: Pick<Storage, 'withLocalFile'>, key: string): HeldLocalFile {
  let held: { path: Promise<string>; release: () => void; scope: Promise<unknown> } | undefined;

  return {
    path() {
      if (!held) {
        let release!: () => void;
        const released = new Promise<void>((resolve) => (release = resolve));
        let resolvePath!: (file: string) => void;
        const path = new Promise<string>((resolve) => (resolvePath = resolve));
        const scope = storage.withLocalFile(key, async (file) => {
          resolvePath(file);
          await released;
        });
        // A fetch that fails never calls back: its error is the path's error, and the next
        // path() tries again.
        const failed = scope.then(
          () => new Promise<never>(() => undefined),
          (error: unknown) => {
            held = undefined;
            throw error;
          },
        );
        held = { path: Promise.race([path, failed]), release, scope: scope.catch(() => undefined) };
      }
      return held.path;
    },
    async release() {
      const current = held;
      held = undefined;
      if (!current) return;
      current.release();
      await current.scope;
    },
  };
}
