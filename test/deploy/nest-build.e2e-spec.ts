import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ROOT } from './compose-support';

/**
 * nest-cli.json is true to the tree (every app, lib and worker is a project whose entry file
 * exists) and `nest build api` emits the layout the start scripts and the Dockerfile run, with the
 * @dane/* aliases rewritten to relative requires. Built into a folder of this test's own (never
 * the shared dist/), `noCheck` as in the other build tests (`npx tsc --noEmit` is the type check).
 */
const cli = JSON.parse(readFileSync(join(ROOT, 'nest-cli.json'), 'utf8'));

describe('nest-cli.json', () => {
  it('lists every app, lib and worker of the tree, each with an existing entry file', () => {
    const roots = Object.values(cli.projects as Record<string, { root: string; sourceRoot: string; entryFile: string }>);
    const expected = [
      ...readdirSync(join(ROOT, 'apps')).map((d) => `apps/${d}`),
      ...readdirSync(join(ROOT, 'libs')).map((d) => `libs/${d}`),
      ...readdirSync(join(ROOT, 'workers'), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => `workers/${d.name}`),
    ];
    expect(roots.map((p) => p.root).sort()).toEqual(expected.sort());
    for (const p of roots) {
      expect(existsSync(join(ROOT, p.root))).toBe(true);
      expect([p.root, existsSync(join(ROOT, p.sourceRoot, `${p.entryFile}.ts`))]).toEqual([p.root, true]);
    }
    expect(existsSync(join(ROOT, cli.compilerOptions.tsConfigPath))).toBe(true);
  });

  it('`nest build api` emits dist/apps/api/src/main.js with the @dane/* aliases resolved', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dane-nest-build-'));
    try {
      const outDir = join(dir, 'dist');
      const tsconfig = join(dir, 'tsconfig.json');
      writeFileSync(
        tsconfig,
        JSON.stringify({
          extends: join(ROOT, cli.compilerOptions.tsConfigPath),
          compilerOptions: { outDir, typeRoots: [join(ROOT, 'node_modules', '@types')], noCheck: true },
        }),
      );
      execFileSync(join(ROOT, 'node_modules', '.bin', 'nest'), ['build', 'api', '--path', relative(ROOT, tsconfig)], { cwd: ROOT, stdio: 'pipe', timeout: 240_000 });
      const main = join(outDir, 'apps', 'api', 'src', 'main.js');
      expect(existsSync(main)).toBe(true);
      expect(readFileSync(main, 'utf8')).not.toMatch(/require\("@dane\//);
      expect(readFileSync(join(outDir, 'apps', 'api', 'src', 'api-app.module.js'), 'utf8')).toMatch(/require\("(\.\.\/)+libs\/dane-core\/src"\)/);
      // The module graph loads: every rewritten require resolves (run from the repo's node_modules).
      execFileSync(process.execPath, ['-e', `require(${JSON.stringify(join(outDir, 'apps', 'api', 'src', 'api-app.module.js'))})`], {
        cwd: ROOT,
        env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
        stdio: 'pipe',
        timeout: 60_000,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
