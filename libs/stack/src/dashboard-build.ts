import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** What the first load of the dashboard may weigh, gzip-compressed JavaScript and CSS (issue 14). */
export const DASHBOARD_BUDGET_BYTES = 300 * 1024;

export type DashboardBuild = {
  files: Array<{ file: string; bytes: number; gzipBytes: number }>;
  firstLoadGzipBytes: number;
  budgetBytes: number;
};

/** Where the api serves the dashboard from. */
export const dashboardDir = (root: string): string => join(root, 'dist', 'dashboard');

/**
 * Bundles apps/dashboard (TypeScript and CSS, uPlot included) with esbuild into
 * dist/dashboard/{index.html, assets/app-<hash>.{js,css} and their .gz, build.json}, minified,
 * no source maps served, nothing loaded from another origin. Throws when the first load's
 * compressed JavaScript and CSS exceed DASHBOARD_BUDGET_BYTES.
 */
export function buildDashboard(root: string): DashboardBuild {
  // esbuild is a build-time dependency: loaded only here.
  const esbuild = require('esbuild') as typeof import('esbuild');
  const source = join(root, 'apps', 'dashboard');
  const out = dashboardDir(root);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'assets'), { recursive: true });
  const result = esbuild.buildSync({
    entryPoints: { app: join(source, 'src', 'main.ts') },
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['chrome110', 'firefox110', 'safari16'],
    outdir: join(out, 'assets'),
    entryNames: '[name]-[hash]',
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  if (result.errors.length > 0)
    throw new Error(`dashboard build failed: ${result.errors.map((e) => e.text).join('; ')}`);
  const assets = readdirSync(join(out, 'assets'));
  const js = assets.find((f) => f.endsWith('.js'));
  const css = assets.find((f) => f.endsWith('.css'));
  if (!js || !css) throw new Error(`dashboard build: expected one .js and one .css, got ${assets.join(', ')}`);
  const html = readFileSync(join(source, 'index.html'), 'utf8').replace('%JS%', js).replace('%CSS%', css);
  writeFileSync(join(out, 'index.html'), html);
  const files = ['index.html', ...assets.map((a) => `assets/${a}`)].map((file) => {
    const gzip = gzipSync(readFileSync(join(out, file)), { level: 9 });
    // Served as is to a browser that accepts gzip: compressed once here, not on every request.
    if (file.startsWith('assets/')) writeFileSync(join(out, `${file}.gz`), gzip);
    return { file, bytes: statSync(join(out, file)).size, gzipBytes: gzip.length };
  });
  const firstLoadGzipBytes = files.reduce((n, f) => n + f.gzipBytes, 0);
  const build: DashboardBuild = { files, firstLoadGzipBytes, budgetBytes: DASHBOARD_BUDGET_BYTES };
  writeFileSync(join(out, 'build.json'), `${JSON.stringify(build, null, 2)}\n`);
  if (firstLoadGzipBytes > DASHBOARD_BUDGET_BYTES) {
    throw new Error(
      `dashboard first load ${(firstLoadGzipBytes / 1024).toFixed(1)} KiB gzip exceeds its budget ` +
        `of ${DASHBOARD_BUDGET_BYTES / 1024} KiB`,
    );
  }
  return build;
}

export function describeDashboardBuild(build: DashboardBuild): string {
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  return [
    ...build.files.map(
      (f) => `  ${f.file.padEnd(40)} ${kib(f.bytes).padStart(10)} ${kib(f.gzipBytes).padStart(10)} gzip`,
    ),
    `  first load: ${kib(build.firstLoadGzipBytes)} gzip of a ${kib(build.budgetBytes)} budget`,
  ].join('\n');
}
