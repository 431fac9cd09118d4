import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The built files go to dist/, which is committed and embedded into the Go
// binary (web/embed.go). `npm run dev` proxies the API to a running
// `convscope serve` on 127.0.0.1:8080.
export default defineConfig({
  plugins: [svelte()],
  // Relative asset URLs: the same build is served by convscope at / and, as a
  // static site (convscope export-site), from any folder (GitHub Pages: /REPO/).
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    reportCompressedSize: false,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
  test: {
    include: ['src/**/*.test.js'],
    environment: 'node',
  },
});
