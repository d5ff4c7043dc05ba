/** Seeded stratified splits (hold-out and k-fold), so train/test partitions are reproducible and shareable. */
import { Rng, shuffle } from './rng.js';

function byClass(labels: readonly string[], rows?: Int32Array): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  const n = rows ? rows.length : labels.length;
  for (let i = 0; i < n; i++) {
    const r = rows ? rows[i]! : i;
    const g = groups.get(labels[r]!);
    if (g) g.push(r);
    else groups.set(labels[r]!, [r]);
  }
  return new Map([...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Stratified hold-out: in every class, round(testFraction · count) rows go to test (at least one
 * when the class has ≥ 2 rows). Returns sorted row indices.
 */
export function stratifiedSplit(labels: readonly string[], testFraction: number, seed: number): { train: Int32Array; test: Int32Array } {
  const rng = new Rng(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (const rows of byClass(labels).values()) {
    shuffle(rows, rng);
    let k = Math.round(rows.length * testFraction);
    if (k === 0 && rows.length >= 2) k = 1;
    test.push(...rows.slice(0, k));
    train.push(...rows.slice(k));
  }
  const sort = (a: number[]) => Int32Array.from(a).sort();
  return { train: sort(train), test: sort(test) };
}

/** Stratified k-fold over `rows` (or all rows): returns the validation rows of each fold. */
export function stratifiedKFold(labels: readonly string[], k: number, seed: number, rows?: Int32Array): Int32Array[] {
  const rng = new Rng(seed);
  const folds: number[][] = Array.from({ length: k }, () => []);
  let offset = 0;
  for (const g of byClass(labels, rows).values()) {
    shuffle(g, rng);
    g.forEach((r, i) => folds[(i + offset) % k]!.push(r));
    offset += g.length;
  }
  return folds.map((f) => Int32Array.from(f).sort());
}

/** Rows of 0..n-1 not in `exclude` (sorted). */
export function complement(n: number, exclude: Int32Array): Int32Array {
  const mark = new Uint8Array(n);
  for (const r of exclude) mark[r] = 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (!mark[i]) out.push(i);
  return Int32Array.from(out);
}

/**
 * Group k-fold: every group (e.g. an NSL-KDD attack name) lands whole in exactly one fold — groups
 * dealt round-robin by size (largest first, ties by name) — except the rows of `ungrouped` (e.g.
 * 'normal'), which are shuffled (seed) and dealt round-robin like an ordinary k-fold. Over `rows`
 * (or all rows). Returns the sorted validation rows of each fold. Simulates attacks unseen in training.
 */
export function groupedKFold(groups: readonly string[], k: number, seed: number, ungrouped: string, rows?: Int32Array): Int32Array[] {
  const all = rows ? Array.from(rows) : groups.map((_, i) => i);
  const counts = new Map<string, number>();
  for (const r of all) counts.set(groups[r]!, (counts.get(groups[r]!) ?? 0) + 1);
  const named = [...counts.entries()].filter(([n]) => n !== ungrouped).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const foldOf = new Map(named.map(([n], i) => [n, i % k]));
  const free = all.filter((r) => groups[r] === ungrouped);
  shuffle(free, new Rng(seed));
  const folds: number[][] = Array.from({ length: k }, () => []);
  free.forEach((r, i) => folds[i % k]!.push(r));
  for (const r of all) if (groups[r] !== ungrouped) folds[foldOf.get(groups[r]!)!]!.push(r);
  return folds.map((f) => Int32Array.from(f).sort());
}
