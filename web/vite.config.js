// vite.config.js: builds the storefront to web/dist for mercato to serve at / (SPA fallback).
// `npm run dev` proxies the API and product images to a mercato on MERCATO_DEV_API
// (default http://127.0.0.1:8080, which is where scripts/run serves).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { defineConfig } from 'vite';
import tailwindcss from '@tailwindcss/vite';

const api = process.env.MERCATO_DEV_API || 'http://127.0.0.1:8080';

/**
 * Writes x.gz beside every text file of the build (gzip level 9) that it makes smaller;
 * mercato sends the twin to browsers that accept gzip (api/http/static.c).
 */
function gzipTwins() {
  let outDir = 'dist';
  return {
    name: 'mercato-gzip-twins',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const walk = (dir) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          const file = path.join(dir, entry.name);
          if (entry.isDirectory()) walk(file);
          else if (/\.(js|css|html|svg|json|txt|webmanifest)$/.test(entry.name)) {
            const raw = fs.readFileSync(file);
            const gz = zlib.gzipSync(raw, { level: 9 });
            if (gz.length < raw.length) fs.writeFileSync(`${file}.gz`, gz);
          }
        }
      };
      walk(outDir);
    },
  };
}

export default defineConfig({
  plugins: [tailwindcss(), gzipTwins()],
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The polyfill would be one more script; every browser we target has modulepreload.
    modulePreload: { polyfill: false },
    // Never inline assets as data: URLs into the HTML or CSS; everything is a file under
    // /assets/ with a content hash (immutable caching, CSP without 'unsafe-inline').
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/images': { target: api, changeOrigin: false },
    },
  },
});
