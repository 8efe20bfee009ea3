// Types of imports-graph.mjs (the import graph of src/ and tools/, its circles, the ring rules).
export function importGraph(root?: string): Map<string, string[]>;
export function folderOf(file: string): string;
export function circles(graph: Map<string, string[]>): string[][];
export function ringViolations(graph: Map<string, string[]>): string[];
export function folderSummary(graph: Map<string, string[]>): string[];
export type Ring = 'engine' | 'io' | 'node' | 'testing' | 'deprecated' | 'tools';
export function ringOf(file: string): Ring | undefined;
export const RINGS_ALLOWED: Record<Ring, Ring[]>;
