import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** What building the program may load besides the CLI's own definition modules. */
const ALLOWED = /^(commander|node:[a-z_/]+|@caravan\/contract)$/;

/** The modules a file loads when it is loaded: its imports that are not `import type`. */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(import|export)\s+(type\s+)?(?:[^;]*?\s+from\s+)?'([^']+)';/gms)]
    .filter((m) => !m[2])
    .map((m) => m[3] as string);
}

const resolveTs = (from: string, specifier: string): string =>
  [`${resolve(dirname(from), specifier)}.ts`, join(resolve(dirname(from), specifier), 'index.ts')].find(existsSync) ??
  specifier;

// `caravan --help` builds the whole program: it must not load the application (the libraries,
// NestJS, pg, kafkajs), only the definitions. tests/cli/help.int.spec.ts checks the built CLI.
describe("the CLI's program definition", () => {
  const seen = new Set<string>();
  const external = new Map<string, string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of runtimeImports(file)) {
      if (specifier.startsWith('.')) visit(resolveTs(file, specifier));
      else external.set(`${relative(__dirname, file)}: ${specifier}`, specifier);
    }
  };
  visit(join(__dirname, 'main.ts'));

  it('loads only commander, node builtins and @caravan/contract', () => {
    expect([...seen].map((f) => relative(__dirname, f)).filter((f) => f.startsWith('actions/'))).toEqual([]);
    expect([...external].filter(([, specifier]) => !ALLOWED.test(specifier)).map(([where]) => where)).toEqual([]);
    expect(seen.size).toBeGreaterThan(10);
  });

  it("loads each command's implementation when it runs", () => {
    const lazy = [...seen].flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/require\('([^']+)'\)/g)].map((m) =>
        relative(__dirname, resolveTs(file, m[1] as string)),
      ),
    );
    expect(lazy.filter((f) => !f.startsWith('actions/') && f !== 'support/cli-error.ts')).toEqual([]);
    expect(lazy.filter((f) => f.startsWith('actions/')).length).toBeGreaterThanOrEqual(9);
  });
});
