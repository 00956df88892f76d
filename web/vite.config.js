// The workbench is embedded into the `ironclad` binary from web/dist: index.html at the root,
// hashed assets under /assets/. `npm run dev` proxies /api to a running `ironclad serve`.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  build: { outDir: 'dist', assetsDir: 'assets', target: 'es2020', sourcemap: false, chunkSizeWarningLimit: 800 },
  server: { proxy: { '/api': process.env.IRONCLAD_URL || 'http://127.0.0.1:8080' } },
});
