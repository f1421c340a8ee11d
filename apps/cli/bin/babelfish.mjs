#!/usr/bin/env -S node --conditions=development
// The `babelfish` command (the package's bin, and /usr/local/bin/babelfish in the images, which
// have no pnpm): registers tsx so the TypeScript sources run as they are, as in development,
// then runs the CLI. --conditions=development makes workspace packages resolve to their sources.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
