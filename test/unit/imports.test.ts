// Imports point inward (issue 13): no import circle, and the ring rules of imports-graph.mjs.
// `node test/unit/imports-graph.mjs` prints the graph by folder, every circle and every violation.
// Asserted here: what holds for the whole tree, and, for crypto/, x509/, resumption/ and util/,
// everything (their circles, their violations, no @noble outside crypto/).
import { describe, expect, it } from 'vitest';
import { circles, folderSummary, importGraph, ringViolations } from './imports-graph.mjs';

const graph = importGraph();
const OWN = ['src/crypto/', 'src/x509/', 'src/resumption/', 'src/util/'];
const own = (file: string): boolean => OWN.some((f) => file.startsWith(f));

describe('import graph', () => {
  it('reads every source file and resolves every relative import to one', () => {
    expect(graph.size).toBeGreaterThan(100);
    for (const [from, targets] of graph) {
      for (const to of targets) if (to.startsWith('src/') || to.startsWith('tools/')) expect(graph.has(to), `${from} → ${to}`).toBe(true);
    }
  });

  it('crypto/, x509/, resumption/ and util/ are in no import circle', () => {
    expect(circles(graph).filter((c) => c.some(own))).toEqual([]);
  });

  it('crypto/, x509/, resumption/ and util/ break no ring rule (crypto imports no x509; x509 no connection or handshake; nothing from io, node, testing, tools or node:*)', () => {
    expect(ringViolations(graph).filter((v) => own(v))).toEqual([]);
  });

  it('no file in src imports tools/; crypto/ imports no x509/; x509/ imports no connection/ or handshake/', () => {
    const rules = ['nothing in src imports tools/', 'src/crypto imports no src/x509', 'src/x509 imports no src/connection or src/handshake'];
    expect(ringViolations(graph).filter((v) => rules.some((r) => v.endsWith(r)))).toEqual([]);
  });

  it('outside src/crypto/ (the providers) no engine file imports @noble (test PKI minting aside)', () => {
    const noble = [...graph].flatMap(([from, targets]) => targets.filter((t) => t.startsWith('@noble/')).map((t) => `${from} → ${t}`));
    expect(noble.filter((line) => !line.startsWith('src/crypto/') && !line.startsWith('src/x509/mint.ts') && !line.startsWith('src/testing/') && !line.startsWith('src/cli/') && !line.startsWith('tools/'))).toEqual([]);
  });

  it('the folder summary lists every folder once', () => {
    const summary = folderSummary(graph);
    expect(new Set(summary.map((l) => l.split(' → ')[0])).size).toBe(summary.length);
    expect(summary.find((l) => l.startsWith('src/crypto →'))).not.toMatch(/src\/x509/);
    expect(summary.find((l) => l.startsWith('src/x509 →'))).not.toMatch(/src\/(connection|handshake)/);
  });
});
