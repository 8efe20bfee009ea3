// The rings' import rule, read from the sources: tools → node → io → engine, testing → io → engine.
// The engine imports none of io/, node/, testing/, deprecated/, tools/; io/ no Node adapter or test
// code; nothing in src/ imports tools/; and the adapter, testing and tool folders have no import circle.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/openssl.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Each source file (relative to the project) → the project files it imports, statically or dynamically. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of [...sources(resolve(PROJECT_ROOT, 'src')), ...sources(resolve(PROJECT_ROOT, 'tools'))]) {
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]!);
    graph.set(
      relative(PROJECT_ROOT, file),
      specs.map((s) => relative(PROJECT_ROOT, resolve(dirname(file), s)).replace(/\.js$/, '.ts')),
    );
  }
  return graph;
}

const ring = (f: string): string => {
  const m = /^(tools|src\/(io|node|testing|deprecated))\//.exec(f);
  return m ? (m[2] ?? m[1]!) : 'engine';
};

// Which rings each ring may import (itself included).
const ALLOWED: Record<string, string[]> = {
  engine: ['engine'],
  io: ['io', 'engine'],
  node: ['node', 'io', 'engine'],
  testing: ['testing', 'io', 'engine'],
  deprecated: ['deprecated', 'testing', 'node', 'io', 'engine'],
  tools: ['tools', 'node', 'io', 'testing', 'engine'],
};

describe('rings: imports point inward only', () => {
  const graph = importGraph();

  it('every import goes to a ring the importer may use, and to a file that exists', () => {
    const wrong: string[] = [];
    for (const [from, tos] of graph) {
      for (const to of tos) {
        if (!graph.has(to)) wrong.push(`${from} → ${to} (no such source)`);
        else if (!ALLOWED[ring(from)]!.includes(ring(to))) wrong.push(`${from} (${ring(from)}) → ${to} (${ring(to)})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('no import circle in io/, node/, testing/ or tools/', () => {
    const outer = [...graph.keys()].filter((f) => ring(f) !== 'engine');
    const state = new Map<string, 'open' | 'done'>();
    const circles: string[] = [];
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        circles.push([...path.slice(path.indexOf(f)), f].join(' → '));
        return;
      }
      state.set(f, 'open');
      for (const to of graph.get(f) ?? []) if (ring(to) !== 'engine') visit(to, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of outer) visit(f, []);
    expect(circles).toEqual([]);
  });

  it('the check has teeth: the ring of a file is read from its folder', () => {
    expect(['src/index.ts', 'src/io/stream.ts', 'src/node/tls/socket.ts', 'src/testing/memory.ts', 'tools/cli/run.ts'].map(ring)).toEqual([
      'engine',
      'io',
      'node',
      'testing',
      'tools',
    ]);
    expect(graph.get('tools/cli/bridge.ts')).toContain('tools/cli/io.ts');
    expect(graph.get('src/io/stream.ts')).toContain('src/io/pump.ts');
  });
});
