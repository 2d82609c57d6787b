// Builds playground/dist from src with esbuild: everything bundled, nothing
// fetched at run time from anywhere but the gateway itself.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'playground', 'workers'), { recursive: true });
mkdirSync(join(dist, 'explorer'), { recursive: true });

const common = {
  bundle: true,
  minify: true,
  legalComments: 'linked',
  target: ['chrome110', 'firefox110', 'safari16'],
  define: { 'process.env.NODE_ENV': '"production"' },
  loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'dataurl' },
  assetNames: '[name]-[hash]',
  logLevel: 'warning',
};

await Promise.all([
  esbuild.build({
    ...common,
    entryPoints: { playground: join(here, 'src', 'playground.jsx') },
    outdir: join(dist, 'playground'),
    format: 'esm',
    jsx: 'automatic',
  }),
  esbuild.build({
    ...common,
    entryPoints: {
      'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
      'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
      'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
    },
    outdir: join(dist, 'playground', 'workers'),
    format: 'iife',
  }),
  esbuild.build({
    ...common,
    entryPoints: { explorer: join(here, 'src', 'explorer.js') },
    outdir: join(dist, 'explorer'),
    format: 'esm',
  }),
]);

cpSync(join(here, 'src', 'playground.html'), join(dist, 'playground', 'index.html'));
cpSync(join(here, 'src', 'explorer.html'), join(dist, 'explorer', 'index.html'));
