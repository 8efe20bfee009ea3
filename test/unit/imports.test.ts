// Imports point inward (issue 13), read from the sources by the one checker, imports-graph.mjs
// (`node test/unit/imports-graph.mjs` prints the graph by folder, every circle and every violation):
// no import circle; rings tools → node → io → engine, testing → io → engine; the engine imports no
// node:*, io/, node/, testing/ or tools/; handshake/ imports nothing from connection/.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { circles, folderSummary, importGraph, ringOf, ringViolations } from './imports-graph.mjs';

const graph = importGraph();

describe('import graph', () => {
  it('reads every source file and resolves every relative import to one', () => {
    expect(graph.size).toBeGreaterThan(100);
    const unresolved: string[] = [];
    for (const [from, targets] of graph) {
      for (const to of targets) if ((to.startsWith('src/') || to.startsWith('tools/')) && !graph.has(to)) unresolved.push(`${from} → ${to}`);
    }
    expect(unresolved).toEqual([]);
    // Sanity: static, type-only and re-exported imports are read.
    expect(graph.get('tools/cli/bridge.ts')).toContain('tools/cli/io.ts');
    expect(graph.get('src/io/stream.ts')).toContain('src/io/pump.ts');
    expect(graph.get('src/handshake/client/hello.ts')).toContain('src/handshake/state.ts');
  });

  it('has no import circle anywhere in src/ or tools/ (type-only imports included)', () => {
    expect(circles(graph)).toEqual([]);
  });

  it('breaks no ring rule', () => {
    expect(ringViolations(graph)).toEqual([]);
  });

  it('the ring of a file is read from its folder (src/crypto/node, the Node provider, is in the node ring)', () => {
    expect(['src/index.ts', 'src/io/stream.ts', 'src/node/tls/socket.ts', 'src/crypto/node/index.ts', 'src/testing/memory.ts', 'tools/cli/run.ts', 'node:fs', 'pkijs'].map(ringOf)).toEqual([
      'engine',
      'io',
      'node',
      'node',
      'testing',
      'tools',
      undefined,
      undefined,
    ]);
  });

  // The checker has teeth: each rule, on a graph that breaks it.
  const broken = (from: string, to: string): string[] => ringViolations(new Map([[from, [to]], [to, []]])).map((v) => v.split(': ').slice(1).join(': '));
  it.each([
    ['src/io/stream.ts', 'src/node/net.ts'],
    ['src/io/stream.ts', 'src/testing/memory.ts'],
    ['src/node/net.ts', 'src/testing/memory.ts'],
    ['src/node/net.ts', 'tools/cli/run.ts'],
    ['src/testing/memory.ts', 'src/node/net.ts'],
    ['src/testing/memory.ts', 'src/crypto/node/index.ts'],
    ['tools/cli/run.ts', 'src/deprecated/keylog.ts'],
    ['src/record/reader.ts', 'src/crypto/node/index.ts'],
  ])('an upward ring import is a violation: %s → %s', (from, to) => {
    expect(broken(from, to).some((v) => v.startsWith('imports point inward'))).toBe(true);
  });

  it.each([
    ['src/handshake/client/hello.ts', 'node:crypto', 'the engine imports no adapter, testing, tools or node:*'],
    ['src/connection/connection.ts', 'src/io/stream.ts', 'the engine imports no adapter, testing, tools or node:*'],
    ['src/x509/verify.ts', 'src/node/net.ts', 'the engine imports no adapter, testing, tools or node:*'],
    ['src/wire/types.ts', 'src/testing/memory.ts', 'the engine imports no adapter, testing, tools or node:*'],
    ['src/util/bytes.ts', 'tools/cli/run.ts', 'nothing in src imports tools/'],
    ['src/io/stream.ts', 'node:stream', 'src/io imports no node:*, src/node or src/testing'],
    ['src/handshake/common.ts', 'src/connection/types.ts', 'src/handshake imports no src/connection'],
    ['src/crypto/provider.ts', 'src/x509/verify.ts', 'src/crypto imports no src/x509'],
    ['src/x509/verify.ts', 'src/handshake/common.ts', 'src/x509 imports no src/connection or src/handshake'],
  ])('%s → %s: %s', (from, to, rule) => {
    expect(broken(from, to)).toContain(rule);
  });

  it('a circle is found, type-only imports included', () => {
    const g = new Map([
      ['src/a.ts', ['src/b.ts']],
      ['src/b.ts', ['src/c.ts']],
      ['src/c.ts', ['src/a.ts']],
      ['src/d.ts', ['src/a.ts']],
    ]);
    expect(circles(g)).toEqual([['src/a.ts', 'src/b.ts', 'src/c.ts']]);
  });

  it('outside src/crypto/ (the providers) no engine file imports @noble (test PKI minting aside)', () => {
    const noble = [...graph].flatMap(([from, targets]) => targets.filter((t) => t.startsWith('@noble/')).map((t) => `${from} → ${t}`));
    expect(noble.filter((line) => !line.startsWith('src/crypto/') && !line.startsWith('src/x509/mint.ts') && !line.startsWith('src/testing/') && !line.startsWith('src/cli/') && !line.startsWith('tools/'))).toEqual([]);
  });

  it('handshake/client/types.ts and server/types.ts import no behaviour (only `import type`)', () => {
    for (const f of ['src/handshake/client/types.ts', 'src/handshake/server/types.ts']) {
      expect(readFileSync(f, 'utf8').match(/^import (?!type )/gm), f).toBeNull();
    }
  });

  it('the folder summary lists every folder once', () => {
    const summary = folderSummary(graph);
    expect(new Set(summary.map((l) => l.split(' → ')[0])).size).toBe(summary.length);
    expect(summary.find((l) => l.startsWith('src/crypto →'))).not.toMatch(/src\/x509/);
    expect(summary.find((l) => l.startsWith('src/x509 →'))).not.toMatch(/src\/(connection|handshake)/);
    expect(summary.find((l) => l.startsWith('src/handshake →'))).not.toMatch(/src\/connection/);
  });
});
