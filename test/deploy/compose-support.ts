import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';

export const ROOT = join(__dirname, '..', '..');

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string } | string;
  command?: string[] | string;
  environment?: Record<string, string> | string[];
  healthcheck?: { test: string[] | string; interval?: string; timeout?: string; retries?: number };
  depends_on?: Record<string, { condition: string }> | string[];
  volumes?: string[];
  profiles?: string[];
  ports?: string[];
  user?: string;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** A compose file as Docker Compose reads it: YAML 1.1 merge keys (`<<: *anchor`) applied. */
export function readCompose(file: string): ComposeFile {
  return parse(readFileSync(join(ROOT, file), 'utf8'), { merge: true }) as ComposeFile;
}

/** Compose's variable interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}. */
function interpolate(value: string, vars: Record<string, string | undefined>): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (_m, name: string, op: string | undefined, arg: string) => {
    const v = vars[name];
    if (op === ':-') return v ? v : arg;
    if (op === '-') return v !== undefined ? v : arg;
    if (op === ':?' || op === '?') {
      if (op === ':?' ? !v : v === undefined) throw new Error(`required variable ${name}: ${arg}`);
      return v!;
    }
    return v ?? '';
  });
}

export function environmentOf(service: ComposeService, vars: Record<string, string | undefined>): Record<string, string> {
  const raw = service.environment ?? {};
  const entries: [string, string][] = Array.isArray(raw)
    ? raw.map((e) => {
        const i = e.indexOf('=');
        return [e.slice(0, i), e.slice(i + 1)];
      })
    : Object.entries(raw).map(([k, v]) => [k, String(v)]);
  return Object.fromEntries(entries.map(([k, v]) => [k, interpolate(v, vars)]));
}

export function commandOf(service: ComposeService): string[] {
  const c = service.command;
  if (Array.isArray(c)) return c;
  if (typeof c === 'string') return c.split(/\s+/).filter(Boolean);
  return [];
}

export function healthTestOf(service: ComposeService): string[] {
  const t = service.healthcheck?.test;
  if (!t) return [];
  if (typeof t === 'string') return ['CMD-SHELL', t];
  return t;
}

/** Dockerfiles we ship: ./Dockerfile* and deploy/**\/Dockerfile*. */
export function dockerfiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/^Dockerfile/.test(name)) found.push(relative(ROOT, p));
    }
  };
  for (const name of readdirSync(ROOT)) if (/^Dockerfile/.test(name)) found.push(name);
  if (existsSync(join(ROOT, 'deploy'))) walk(join(ROOT, 'deploy'));
  return found;
}

export interface DockerStage {
  from: string;
  name?: string;
  instructions: Array<{ op: string; args: string; line: number }>;
}

/** Instructions of a Dockerfile by stage (continuation lines joined, comments dropped). */
export function parseDockerfile(text: string): { args: string[]; stages: DockerStage[] } {
  const stages: DockerStage[] = [];
  const globalArgs: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i];
    if (/^\s*#/.test(line) || line.trim() === '') continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      line = line.replace(/\\\s*$/, ' ') + lines[++i].replace(/^\s*#.*$/, '');
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const op = m[1].toUpperCase();
    const args = m[2].trim();
    if (op === 'FROM') {
      const f = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ from: f?.[1] ?? args, name: f?.[2], instructions: [] });
    } else if (stages.length === 0) {
      if (op === 'ARG') globalArgs.push(args);
    } else {
      stages[stages.length - 1].instructions.push({ op, args, line: start + 1 });
    }
  }
  return { args: globalArgs, stages };
}

/**
 * The image's /app, built here: `dist/` compiled by the build's own commands (tsconfig.build.json,
 * then tsc-alias; `--noCheck`, as `npx tsc --noEmit` is the type check) into a folder of this test's
 * own — never the shared dist/ that others rebuild — the workers' base_config.yml copied beside
 * their main.js exactly as the Dockerfile's loop does, node_modules linked, and no sources.
 */
export function buildImageLayout(appDir: string): void {
  const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);
  const outDir = join(appDir, 'dist');
  execFileSync(bin('tsc'), ['-p', 'tsconfig.build.json', '--outDir', outDir, '--noCheck'], { cwd: ROOT, stdio: 'pipe', timeout: 240_000 });
  execFileSync(bin('tsc-alias'), ['-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
  // RUN for dir in workers/*/; do if [ -f "${dir}base_config.yml" ]; then cp … "dist/${dir}base_config.yml"; fi; done
  for (const name of readdirSync(join(ROOT, 'workers'))) {
    const source = join(ROOT, 'workers', name, 'base_config.yml');
    if (existsSync(source) && existsSync(join(outDir, 'workers', name))) copyFileSync(source, join(outDir, 'workers', name, 'base_config.yml'));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(appDir, 'node_modules'), 'dir');
  copyFileSync(join(ROOT, 'package.json'), join(appDir, 'package.json'));
}
