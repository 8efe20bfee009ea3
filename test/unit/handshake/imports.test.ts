// The handshake's import graph: no circle inside src/handshake, and (once ConnectionEvent and
// NegotiatedParameters move down) no import from src/handshake up to src/connection or src/transport.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
const HANDSHAKE = join(ROOT, 'src/handshake');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every relative specifier in `import … from`, `export … from` and `import('…')`, type-only ones included. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g), ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)];
  return specs.map((m) => m[1]!).filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

const rel = (p: string): string => relative(ROOT, p);
const graph = new Map(tsFiles(HANDSHAKE).map((f) => [f, importsOf(f)]));

/** Circles among `graph`'s own files (depth-first search; each circle reported once by its first file). */
function circles(): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (f: string): void => {
    const at = stack.indexOf(f);
    if (at >= 0) return void found.push([...stack.slice(at), f].map(rel));
    if (done.has(f)) return;
    stack.push(f);
    for (const to of graph.get(f) ?? []) if (graph.has(to)) visit(to);
    stack.pop();
    done.add(f);
  };
  for (const f of graph.keys()) visit(f);
  return found;
}

describe('src/handshake import graph', () => {
  it('reads the imports (sanity: client/hello.ts imports state.ts)', () => {
    expect(graph.get(join(HANDSHAKE, 'client/hello.ts'))).toContain(join(HANDSHAKE, 'state.ts'));
  });

  it('has no import circle inside src/handshake (type-only imports included)', () => {
    expect(circles()).toEqual([]);
  });

  it('client/types.ts and server/types.ts import no behaviour (only `import type`)', () => {
    for (const f of ['client/types.ts', 'server/types.ts']) {
      const text = readFileSync(join(HANDSHAKE, f), 'utf8');
      expect(text.match(/^import (?!type )/gm), f).toBeNull();
    }
  });

  // The other direction (no src/handshake → src/connection or src/transport) waits on
  // handshake/context.ts taking ConnectionEvent and NegotiatedParameters (issue 13, arch-contract).
  it('lists the upward imports that remain (only handshake/common.ts → connection/types.ts)', () => {
    const upward = [...graph].flatMap(([f, to]) =>
      to.filter((t) => /^src\/(connection|transport)\//.test(rel(t))).map((t) => `${rel(f)} → ${rel(t)}`),
    );
    expect(upward.every((u) => u === 'src/handshake/common.ts → src/connection/types.ts' || u.startsWith('src/handshake/context.ts'))).toBe(true);
  });
});
