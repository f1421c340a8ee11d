import path from 'node:path';

/** Models and samples live outside the repo (never committed); CI clones sit beside ../shared. */
export const sharedDir = path.resolve(process.env.SHARED_DIR ?? path.join(__dirname, '../../../shared'));
export const modelsDir = path.join(sharedDir, 'models');
export const sample = (name: string) => path.join(sharedDir, 'samples', name);
export const repoRoot = path.resolve(__dirname, '../..');
