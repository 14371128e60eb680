/**
 * `npm run codebase-report [-- --json]`: the shape of the code, for refactoring steps to show their
 * effect: which library and app imports which (@caravan/* imports, value and type alike), the
 * median and largest source files, the longest functions. Tests, generated and built files are
 * left out; every count is of lines as they stand in the files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';

const ROOTS = ['apps', 'libs', 'tools'];
const SKIP_DIRS = new Set(['node_modules', 'dist', 'coverage']);

type FunctionSpan = { file: string; name: string; lines: number };
export type CodebaseReport = {
  files: number;
  lines: number;
  medianFileLines: number;
  largestFiles: Array<{ file: string; lines: number }>;
  longestFunctions: FunctionSpan[];
  /** Each package (`libs/<name>`, `apps/<name>`, `tools`) and the @caravan libraries its sources import. */
  imports: Record<string, string[]>;
};

function sourceFiles(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIP_DIRS.has(entry.name) ? [] : sourceFiles(root, path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts')
      ? [path]
      : [];
  });
}

const packageOf = (file: string): string => {
  const [top, name] = file.split('/');
  return top === 'tools' ? 'tools' : `${top}/${name}`;
};

function functionName(node: ts.Node): string {
  const named = (node as { name?: ts.Node }).name;
  if (named && ts.isIdentifier(named)) return named.text;
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (
    parent &&
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) &&
    ts.isIdentifier(parent.name)
  )
    return parent.name.text;
  return '(anonymous)';
}

function functionsOf(file: string, text: string): FunctionSpan[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const spans: FunctionSpan[] = [];
  const visit = (node: ts.Node, owner: string | undefined): void => {
    let inside = owner;
    if (ts.isFunctionLike(node) && (node as { body?: ts.Node }).body) {
      const body = (node as unknown as { body: ts.Node }).body;
      const lines =
        source.getLineAndCharacterOfPosition(body.getEnd()).line -
        source.getLineAndCharacterOfPosition(node.getStart()).line +
        1;
      const name = functionName(node);
      const cls = ts.isClassDeclaration(node.parent) && node.parent.name ? `${node.parent.name.text}.` : '';
      // A callback is counted in the function that holds it, not on its own.
      if (owner === undefined || name !== '(anonymous)') spans.push({ file, name: `${cls}${name}`, lines });
      inside = name;
    }
    ts.forEachChild(node, (child) => visit(child, inside));
  };
  visit(source, undefined);
  return spans;
}

export function codebaseReport(root: string): CodebaseReport {
  const files = ROOTS.flatMap((dir) => sourceFiles(root, dir)).map((file) => relative(root, join(root, file)));
  const sizes: Array<{ file: string; lines: number }> = [];
  const functions: FunctionSpan[] = [];
  const imports = new Map<string, Set<string>>();
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    sizes.push({ file, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0) });
    functions.push(...functionsOf(file, text));
    const used = imports.get(packageOf(file)) ?? new Set<string>();
    for (const match of text.matchAll(/from '@caravan\/([a-z-]+)'/g)) used.add(match[1] as string);
    imports.set(packageOf(file), used);
  }
  const ordered = [...sizes].sort((a, b) => a.lines - b.lines);
  return {
    files: sizes.length,
    lines: sizes.reduce((n, s) => n + s.lines, 0),
    medianFileLines: ordered[Math.floor(ordered.length / 2)]?.lines ?? 0,
    largestFiles: [...sizes].sort((a, b) => b.lines - a.lines).slice(0, 12),
    longestFunctions: functions.sort((a, b) => b.lines - a.lines).slice(0, 12),
    imports: Object.fromEntries(
      [...imports]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([pkg, used]) => [pkg, [...used].filter((u) => `libs/${u}` !== pkg).sort()]),
    ),
  };
}

export function describeCodebaseReport(report: CodebaseReport): string {
  const lines = [
    `${report.files} source files, ${report.lines} lines, median ${report.medianFileLines} lines a file`,
    '',
    'imports (@caravan/*):',
  ];
  for (const [pkg, used] of Object.entries(report.imports)) lines.push(`  ${pkg.padEnd(22)} ${used.join(', ') || '-'}`);
  lines.push('', 'largest files:');
  for (const f of report.largestFiles) lines.push(`  ${String(f.lines).padStart(5)}  ${f.file}`);
  lines.push('', 'longest functions:');
  for (const f of report.longestFunctions) lines.push(`  ${String(f.lines).padStart(5)}  ${f.file}  ${f.name}`);
  return lines.join('\n');
}

if (require.main === module) {
  const root = process.argv.find((a, i) => i >= 2 && !a.startsWith('--')) ?? process.cwd();
  const report = codebaseReport(root);
  process.stdout.write(
    `${process.argv.includes('--json') ? JSON.stringify(report, null, 2) : describeCodebaseReport(report)}\n`,
  );
}
