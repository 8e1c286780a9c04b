import { defineConfig } from 'vite';

// The page is a static site: `vite build` writes dist/, served from any static host (a secure
// context — https, localhost or 127.0.0.1 — for WebGPU and the Cache API).
export default defineConfig({
  base: './',
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  worker: { format: 'es' },
});
