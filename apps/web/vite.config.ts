import { defineConfig } from 'vite';

/**
 * The dashboard is a static bundle the API serves at `/`, so every URL in it is relative and no
 * dev proxy is needed in production. `development` makes @babelfish/core resolve to its TypeScript
 * sources (it has no build step); `browser` picks socket.io-client's browser build.
 */
export default defineConfig({
  base: '/',
  resolve: { conditions: ['development', 'browser', 'module', 'import', 'default'] },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
  server: {
    // `pnpm --filter @babelfish/web exec vite` against a local API on :8080.
    proxy: { '/v1': 'http://localhost:8080', '/socket.io': { target: 'ws://localhost:8080', ws: true } },
  },
});
