// Builds the operator UI into web/dist, which the appliance serves at /. `npm run dev:web` serves
// it with hot reload and forwards the API, preview and WebSocket to an appliance on :8080.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const target = process.env['VISTTER_DEV_API'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1500 },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api/live': { target: target.replace(/^http/, 'ws'), ws: true },
      '/api/preview/program': { target: target.replace(/^http/, 'ws'), ws: true },
      '/api': target,
      '/preview': target,
    },
  },
});
