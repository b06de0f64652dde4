// scripts/size.js: the first load's weight: the JavaScript and CSS that dist/index.html pulls in
// (its scripts, stylesheets and module preloads, plus the static imports of those scripts),
// raw and gzipped (level 9, what a compressing server or CDN sends). `npm run size` after a build.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');

const files = new Set();
for (const m of html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)) files.add(m[1]);

// Chunks the entry imports statically load with it; dynamic import() chunks do not.
const queue = [...files].filter((f) => f.endsWith('.js'));
while (queue.length) {
  const f = queue.pop();
  const code = fs.readFileSync(path.join(dist, f), 'utf8');
  for (const m of code.matchAll(/(?:^|[;}\s])import\s*(?:[^'"();]*?from\s*)?["'](\.\/[^"']+\.js)["']/g)) {
    const dep = path.posix.join(path.posix.dirname(f), m[1]);
    if (!files.has(dep)) {
      files.add(dep);
      queue.push(dep);
    }
  }
}

let raw = 0;
let gz = 0;
const rows = [];
for (const f of [...files].sort()) {
  const buf = fs.readFileSync(path.join(dist, f));
  const g = zlib.gzipSync(buf, { level: 9 }).length;
  raw += buf.length;
  gz += g;
  rows.push(`${f.padEnd(40)} ${(buf.length / 1024).toFixed(1).padStart(7)} KiB ${(g / 1024).toFixed(1).padStart(7)} KiB gzip`);
}
console.log(rows.join('\n'));
console.log(`${'first load (JS + CSS)'.padEnd(40)} ${(raw / 1024).toFixed(1).padStart(7)} KiB ${(gz / 1024).toFixed(1).padStart(7)} KiB gzip`);
