#!/usr/bin/env node
// Builds the web console (console/src) into dist/console: index.html plus content-hashed assets
// (one JS bundle, one CSS file) under assets/. No inline script or style, so the page runs under the
// API's CSP (`default-src 'self'`). Usage: node console/build.js [--out DIR] [--dev]
'use strict';
const { mkdirSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { basename, join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..');

/** Builds the console into `outDir` (replaced whole, atomically enough for a running server). */
async function buildConsole({ outDir = join(ROOT, 'dist', 'console'), minify = true } = {}) {
  const esbuild = require('esbuild');
  const staging = `${outDir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const result = await esbuild.build({
    entryPoints: { main: join(__dirname, 'src', 'main.tsx') },
    bundle: true,
    outdir: join(staging, 'assets'),
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    format: 'esm',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify,
    sourcemap: minify ? false : 'linked',
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
  const js = outputs.find((f) => f.endsWith('.js'));
  const css = outputs.find((f) => f.endsWith('.css'));
  if (!js) throw new Error('console build: esbuild produced no JavaScript bundle');
  writeFileSync(join(staging, 'index.html'), indexHtml(js, css));
  writeFileSync(join(staging, 'manifest.json'), JSON.stringify({ js, css: css ?? null, built_at: new Date().toISOString() }, null, 2) + '\n');
  mkdirSync(join(outDir, '..'), { recursive: true });
  // Another build may land between the removal and the rename: remove and try again.
  for (let attempt = 1; ; attempt++) {
    rmSync(outDir, { recursive: true, force: true });
    try {
      renameSync(staging, outDir);
      break;
    } catch (err) {
      if (attempt >= 5 || (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST')) throw err;
    }
  }
  return { outDir, js, css };
}

function indexHtml(js, css) {
  return [
    '<!doctype html>',
    '<html lang="vi">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    '<title>Canh</title>',
    css ? `<link rel="stylesheet" href="/assets/${css}">` : '',
    `<script type="module" src="/assets/${js}"></script>`,
    '</head>',
    '<body><div id="app"><noscript>Canh needs JavaScript / Canh cần JavaScript.</noscript></div></body>',
    '</html>',
    '',
  ].filter(Boolean).join('\n');
}

module.exports = { buildConsole };

if (require.main === module) {
  const args = process.argv.slice(2);
  const out = args.includes('--out') ? resolve(args[args.indexOf('--out') + 1]) : undefined;
  buildConsole({ ...(out ? { outDir: out } : {}), minify: !args.includes('--dev') })
    .then((r) => console.log(`console built: ${r.outDir} (${r.js}${r.css ? `, ${r.css}` : ''})`))
    .catch((err) => { console.error(err.message ?? err); process.exit(1); });
}
