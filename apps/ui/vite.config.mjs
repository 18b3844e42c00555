// The web UI's build: `npm run build:ui` writes dist/ui, which the gateway serves at /ui (apps/gateway/src/ui).
// BATON_UI_OUT_DIR builds elsewhere (e.g. a scratch dist). No alias for @app/contracts on purpose: the UI
// imports its types only (`import type`, erased), so a value import from the wire fails the build instead of
// bundling class-validator into the browser.
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/ui/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: resolve(process.env.BATON_UI_OUT_DIR ?? resolve(here, '../../dist/ui')),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  server: { proxy: { '/api': 'http://localhost:8080', '/flow': 'http://localhost:8080' } },
});
