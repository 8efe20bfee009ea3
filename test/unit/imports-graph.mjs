// The import graph of src/ and tools/ (every `import … from`, `export … from`, `import '…'` and
// `import('…')` specifier, type-only ones included), its circles, and the ring rules of issue 13
// (the one import checker; test/unit/imports.test.ts asserts it). `node test/unit/imports-graph.mjs`
// prints folder → folders it imports, circles and violations.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// A statement's `from '…'`, a side-effect `import '…'`, a dynamic or type-level `import('…')`.
const SPECIFIERS = [/^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]/gm, /^\s*import\s*['"]([^'"]+)['"]/gm, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];
const BUILTIN = new Set(builtinModules);

function tsFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : /\.(m?ts)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** file (relative to the repo) → its imports: other files of the graph, or `node:x` / a package name. */
export function importGraph(root = ROOT) {
  const graph = new Map();
  for (const file of [...tsFiles(join(root, 'src')), ...tsFiles(join(root, 'tools'))]) {
    const text = readFileSync(file, 'utf8').replace(/^\s*(\/\/.*|\*.*|\/\*.*)$/gm, '');
    const targets = new Set();
    for (const [, spec] of SPECIFIERS.flatMap((re) => [...text.matchAll(re)])) {
      if (spec.startsWith('.')) targets.add(relative(root, resolve(dirname(file), spec)).replace(/\.js$/, '.ts'));
      else targets.add(BUILTIN.has(spec) && !spec.startsWith('node:') ? `node:${spec}` : spec);
    }
    graph.set(relative(root, file), [...targets]);
  }
  return graph;
}

/** The folder a file counts in: src/<dir> (src/crypto/node on its own), tools/<dir>, or a top-level file. */
export function folderOf(file) {
  if (file.startsWith('node:')) return 'node:*';
  if (!file.startsWith('src/') && !file.startsWith('tools/')) return `package ${file.split('/').slice(0, file.startsWith('@') ? 2 : 1).join('/')}`;
  const parts = file.split('/');
  if (parts[0] === 'src' && parts[1] === 'crypto' && parts[2] === 'node') return 'src/crypto/node';
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : file;
}

/** Every import circle: strongly connected components of more than one file (Tarjan). */
export function circles(graph) {
  let index = 0;
  const idx = new Map(), low = new Map(), stack = [], on = new Set(), out = [];
  const visit = (v) => {
    idx.set(v, index); low.set(v, index++); stack.push(v); on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) !== idx.get(v)) return;
    const scc = [];
    for (let w; w !== v; ) { w = stack.pop(); on.delete(w); scc.push(w); }
    if (scc.length > 1) out.push(scc.sort());
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

const under = (file, ...folders) => folders.some((f) => file === f || file.startsWith(`${f}/`));
const ADAPTERS = ['src/deprecated', 'src/io', 'src/node', 'src/testing', 'src/crypto/node'];

/** A file's ring (tools → node → io → engine, testing → io → engine); undefined for node:* and packages. */
export function ringOf(file) {
  if (under(file, 'tools')) return 'tools';
  if (under(file, 'src/crypto/node')) return 'node';
  const m = /^src\/(io|node|testing|deprecated)\//.exec(file);
  if (m) return m[1];
  return file.startsWith('src/') ? 'engine' : undefined;
}

/** Which rings each ring may import (itself included): imports point inward only. */
export const RINGS_ALLOWED = {
  engine: ['engine'],
  io: ['io', 'engine'],
  node: ['node', 'io', 'engine'],
  testing: ['testing', 'io', 'engine'],
  deprecated: ['deprecated', 'testing', 'node', 'io', 'engine'],
  tools: ['tools', 'node', 'io', 'testing', 'engine'],
};

/** The ring rules (issue 13), as `importer → imported: rule` strings. */
export function ringViolations(graph) {
  const out = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const broken = [];
      const [rf, rt] = [ringOf(from), ringOf(to)];
      if (rf && rt && !RINGS_ALLOWED[rf].includes(rt)) broken.push(`imports point inward (${rf} may import ${RINGS_ALLOWED[rf].join(', ')}; not ${rt})`);
      const engine = under(from, 'src') && !under(from, ...ADAPTERS);
      if (engine && (under(to, 'src/io', 'src/node', 'src/testing', 'tools') || to.startsWith('node:'))) broken.push('the engine imports no adapter, testing, tools or node:*');
      if (under(from, 'src/io') && (to.startsWith('node:') || under(to, 'src/node', 'src/testing'))) broken.push('src/io imports no node:*, src/node or src/testing');
      if (under(from, 'src') && under(to, 'tools')) broken.push('nothing in src imports tools/');
      if (under(from, 'src/crypto') && under(to, 'src/x509')) broken.push('src/crypto imports no src/x509');
      if (under(from, 'src/x509') && under(to, 'src/connection', 'src/handshake')) broken.push('src/x509 imports no src/connection or src/handshake');
      if (under(from, 'src/handshake') && under(to, 'src/connection')) broken.push('src/handshake imports no src/connection');
      for (const rule of broken) out.push(`${from} → ${to}: ${rule}`);
    }
  }
  return out;
}

/** folder → the folders (and node:*, packages) its files import. */
export function folderSummary(graph) {
  const arrows = new Map();
  for (const [from, targets] of graph) {
    const set = arrows.get(folderOf(from)) ?? new Set();
    for (const to of targets) if (folderOf(to) !== folderOf(from)) set.add(folderOf(to));
    arrows.set(folderOf(from), set);
  }
  return [...arrows].sort(([a], [b]) => a.localeCompare(b)).map(([f, s]) => `${f} → ${[...s].sort().join(', ') || '(nothing)'}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const graph = importGraph();
  console.log(`${graph.size} files\n\nfolder → folders it imports:\n${folderSummary(graph).join('\n')}`);
  const found = circles(graph);
  console.log(`\ncircles (${found.length}):\n${found.map((c) => c.join(' ⇄ ')).join('\n') || '(none)'}`);
  const broken = ringViolations(graph);
  console.log(`\nring violations (${broken.length}):\n${broken.join('\n') || '(none)'}`);
}
