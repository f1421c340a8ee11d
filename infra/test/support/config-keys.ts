import { readRepoFile } from './repo';

/**
 * Every environment variable packages/config reads, taken from its zod schema's source (the
 * schema object is private to that package). Deployment files are checked against this list so a
 * renamed or misspelt setting fails here instead of being silently ignored in production.
 */
export function configKeys(): string[] {
  const source = readRepoFile('packages/config/src/config.ts');
  const keys = [...source.matchAll(/^ {2}([A-Z][A-Z0-9_]+): (?:z\b|booleanFromEnv|rolesFromEnv)/gm)].map((match) => match[1]!);
  return [...new Set(keys)].sort();
}
