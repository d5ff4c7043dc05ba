/**
 * Random Forest inference (`predictBatch`), exact to the bit: every row gets the same leaves, added
 * into a float32 accumulator per class in tree order 0..n-1, then multiplied by 1/nTrees — the
 * semantics of the plain walk in `predictRowwise`, which is kept for small batches, for forests the
 * fast layout cannot hold, and as the reference in benchmarks.
 *
 * Why not the plain walk: fully grown trees are deep (NSL-KDD: ~1,200 nodes per tree, mean path 11.4
 * nodes, max 42). Walking row by row costs a dependent load chain plus a badly predicted branch per
 * node, ~8 ns per node here: 110–150 k rows/s for 100 trees, scikit-learn's speed. Measured on this
 * VM and dropped (all exact, all slower than what follows; details in docs/models.md):
 *  - 4–8 rows walked in lockstep per tree, branch-free child selection, self-looping leaves (also
 *    with 16-bit bin codes and 32-bit packed nodes): 170–240 k rows/s. The lockstep waits for the
 *    deepest row (+37 % steps) and V8 spends ~20 instructions per pair of typed-array accesses; the
 *    same kernel in C -O3 reached only ~400 k rows/s, so it is the algorithm, not V8.
 *  - one `new Function` per tree with the thresholds as literals: 200–240 k rows/s (mispredictions
 *    remain), ~300 ms of TurboFan per tree, and a deopt on every branch not seen during warm-up.
 *  - partitioning a block of rows down each tree (row-index lists, float64 compares): ~180 k rows/s.
 *
 * What is used instead, for batches of ≥ BITSET_MIN_ROWS rows ("bitset traversal"):
 *  1. Codes. Per feature, the forest's distinct thresholds sorted, T_0 < … < T_{m−1} (≤ 255 per
 *     feature with our trainer: they are bin edges), give each value x the code
 *     c(x) = #{j : T_j < x} (NaN: m). Then x <= T_k ⇔ c(x) <= k for every x: if x <= T_k, every
 *     T_j < x has j < k; if x > T_k, T_0..T_k are all < x. So deciding on codes is deciding on the
 *     float64 compare itself (NaN goes right in both), no float32 rounding involved. A code comes
 *     from the feature's lookup table when x lies on its grid (small integers, or hundredths for
 *     rates; the entry is c of that very double, so it is exact: gridTable), else from a
 *     branch-free binary search, 8 rows at a time. Features with a single threshold (one-hot
 *     columns and flags: 89 of the 119 NSL-KDD features the forest uses) need no code: one compare
 *     per row gives their bit (codeBits).
 *  2. Masks. Rows are taken 128 at a time (four 32-bit words). For every (feature, threshold) the
 *     group gets the bit mask of its rows with x > T_k (each row's code scattered, then a suffix
 *     OR; single-threshold features only place their set bits: listBits). A tree is walked once per
 *     group, depth first, carrying the mask of the rows that reach each node: left = mask & ~R,
 *     right = mask & R, empty subtrees are never entered. One node visit is a few word operations
 *     shared by all rows that reach it.
 *  3. Grouping. Rows that take the same paths share visits, so a span of up to SPAN_ROWS (32,768)
 *     rows is sorted by the leaf each row reaches in tree 0 before it is cut into groups, and then
 *     walked one block (≤ 2,048 rows, the masks that stay in cache) at a time. On NSL-KDD (22,544
 *     rows in one call) that is 0.33 internal node visits per row and tree, against 0.52 when each
 *     2,048-row block was sorted on its own, 1.22 unsorted and 11.4 for the plain walk. The order
 *     only decides which rows share a group; each row still gets exactly its own leaves, in tree
 *     order.
 *  4. Counting (see predictBitset): leaves of fully grown trees are pure with value exactly 1, and
 *     a float32 sum of ones is an exact integer in any order, so those leaves increment bit-sliced
 *     counters for the whole mask at once; rows meeting any other leaf value switch to ordinary
 *     in-order float32 adds from that tree on, starting from their exact counts.
 * Leaf values of 0 are skipped: adding +0 to a float32 sum that starts at +0 never changes it.
 *
 * Everything is derived from the Forest arrays at first use (WeakMap cache per forest); the model
 * file format is unchanged and no code is generated. Allocation-free per row: per-forest buffers are
 * made once, and the module's scratch buffers only grow with the largest span seen.
 */
import type { Forest } from './forest.js';

/** Batches below this many rows take the plain row-wise walk (the bitset setup is per block; measured crossover ≈ 12–16 rows). */
export const BITSET_MIN_ROWS = 16;
/** Rows per group (= 32 × mask words; the walk kernel below is written for exactly 4 words). */
const GW = 4;
const GR = 32 * GW;
/**
 * Groups per block (a power of two): the masks of a block's groups (≤ 16 × 128 = 2,048 rows) are
 * built together and kept while each tree is walked for every group in turn (tree-major: a tree's
 * nodes stay hot). 32 groups gave NSL-KDD +3 % and CICIDS2017 −2 % for twice the memory (with
 * blocks that were also the sort unit).
 */
const MAX_BLOCK_GROUPS = 16;
/**
 * Rows sorted together (a "span"): the more rows the sort sees, the more similar the rows that end
 * up in one group (NSL-KDD, internal node visits per row: 52.6 with 2,048-row spans, 39.0 with
 * 8,192, 32.8 with 32,768). The span is then walked a block at a time, so the masks the walk
 * touches stay those of one block. A power of two ≥ any block.
 */
export const SPAN_ROWS = 1 << 15;
/** Bits for a row's position within its block in listBits' entries (the bit feature's index above them: nF ≤ 0xffff fits). */
const POS_BITS = 31 - Math.clz32(MAX_BLOCK_GROUPS * GR);
const POS_MASK = (1 << POS_BITS) - 1;
/** Upper bound on the masks of one block (int32 words); forests with very many thresholds get fewer groups per block. */
const MASK_WORDS_BUDGET = 1 << 20;
/**
 * Row tile of the code pass: the tile's X rows stay in cache while each feature is coded (32: ~5 %
 * faster than 16). Exactly 32: a bit feature's tile is one int32 word.
 */
const TILE = 32;
/** Row-wise walk: rows per tree-major block (the old implementation's constant). */
const ROW_BLOCK = 256;
/** Ints per coded feature in BitPlan.FI. */
const FS = 8;
/** Lookup tables: at most this many grid values per feature; codes below TABLE_MISS fit a byte. */
const TABLE_MAX = 256;
const TABLE_MISS = 255;
/** Integer grids start at −TABLE_LOW at the lowest (so −1, the usual non-finite value, can be on them). */
const TABLE_LOW = 16;
/** Hundredths grid (features whose thresholds all lie in [0, 1): rates): i / RATE_SCALE, 0 ≤ i ≤ RATE_SCALE. */
const RATE_SCALE = 100;
/** x of each hundredths grid entry, computed once: the same doubles gridTable used. */
const RATE_GRID = Float64Array.from({ length: RATE_SCALE + 1 }, (_, i) => i / RATE_SCALE);
/** A feature keeps using its lookup table while a tile has at most this many inputs off its grid. */
const TABLE_MISSES = 1;
/** Every TABLE_PROBE-th tile (a power of two) retries the tables of the features that left them. */
const TABLE_PROBE = 64;
let probeCount = 0;

interface BitPlan {
  /** Coded features: those with m ≥ 2 distinct thresholds. */
  readonly nU: number;
  /**
   * Per coded feature u, FS ints: input column, K (search steps), offset into T, slot base, m, and
   * its lookup table (see gridTable): offset into TC (−1: none), grid kind (1 integers, 0 hundredths), base.
   */
  readonly FI: Int32Array;
  /** Per coded feature: its grid's first and last value. */
  readonly FT: Float64Array;
  /** Lookup tables: code of each grid value, or TABLE_MISS where the search must decide. */
  readonly TC: Uint8Array;
  /** Per coded feature: 1 if it has a lookup table. */
  readonly hasTable: Uint8Array;
  /** Per coded feature, updated by every call: 1 while its lookup table is used (see codeRows). */
  readonly tableOn: Uint8Array;
  /** Per coded feature: sorted distinct thresholds padded with +Infinity to 2^K − 1 entries. */
  readonly T: Float64Array;
  /** One-threshold features ("bit features", e.g. one-hot columns): see codeBits, listBits. */
  readonly nB: number;
  /** Per bit feature: input column. */
  readonly BJ: Int32Array;
  /** Per bit feature: its threshold. */
  readonly BT: Float64Array;
  /** Per bit feature: offset of its one mask slot in a group's masks (slot · GW). */
  readonly BS: Int32Array;
  /** Mask slots per group: Σ (m_u + 1) over coded features, plus one per bit feature. */
  readonly nSlots: number;
  /**
   * Everything the walk touches, in one Int32Array owned by the plan (measured: no faster than
   * separate arrays, but it keeps a forest's buffers together):
   *  - nodes at [0, 2·nodes), 2 ints per node in forest node order (children pair at 2·child):
   *    internal = [mask slot · GW (≥ 0), 2·left child]; pure leaf = [−1 − class, 1 if its value is
   *    exactly 1 else 0]; other leaf = [−1 − nClasses − j, 0], entries LS[j]..LS[j+1] in (LC, LV);
   *  - the masks of every group of a block (from maskBase, nSlots · GW words per group);
   *  - the DFS stack (stackBase, 5 words per pending subtree);
   *  - the per-group counters (countBase, groupCounts words per group).
   * Everything after the nodes is rewritten by every call.
   */
  readonly work: Int32Array;
  readonly maskBase: number;
  readonly stackBase: number;
  readonly countBase: number;
  readonly groupCounts: number;
  /** Float32 leaf value of each pure leaf (by node). */
  readonly leafValue: Float32Array;
  readonly LS: Int32Array;
  readonly LC: Int32Array;
  readonly LV: Float32Array;
  /** Row-wise layout, for the sort key (the leaf of tree 0, walked on X). */
  readonly rows: RowPlan;
  readonly roots2: Int32Array;
  readonly maxDepth: number;
  /** Class whose counts are derived instead of counted (the one with the most pure leaves). */
  readonly skipClass: number;
  /** Groups per block (block = groups × 128 rows). */
  readonly groups: number;
}

/** Per-forest layouts, each built on first use (a forest used only for small batches never gets the bitset one). */
interface Plan {
  /** Row-wise layout: 16 bytes per node (int32 feature, int32 child, float64 threshold). */
  rows: RowPlan | undefined;
  /** null when the forest does not fit the bitset layout (then every batch walks row-wise). */
  bits: BitPlan | null | undefined;
}

interface RowPlan {
  readonly ints: Int32Array;
  readonly floats: Float64Array;
}

const planCache = new WeakMap<Forest, Plan>();

function plan(forest: Forest): Plan {
  let p = planCache.get(forest);
  if (!p) {
    p = { rows: undefined, bits: undefined };
    planCache.set(forest, p);
  }
  return p;
}

function rowPlan(forest: Forest, p: Plan): RowPlan {
  if (p.rows) return p.rows;
  const n = forest.feature.length;
  const buf = new ArrayBuffer(n * 16);
  const ints = new Int32Array(buf);
  const floats = new Float64Array(buf);
  for (let i = 0; i < n; i++) {
    ints[4 * i] = forest.feature[i]!;
    ints[4 * i + 1] = forest.child[i]!;
    floats[2 * i + 1] = forest.threshold[i]!;
  }
  return (p.rows = { ints, floats });
}

function bitPlan(forest: Forest, rows: RowPlan): BitPlan | null {
  const { nFeatures: nF, nClasses: nC, feature, threshold, child, leafValues, roots } = forest;
  const n = feature.length;
  if (roots.length === 0 || n === 0 || nF > 0xffff) return null;
  // distinct thresholds per feature
  const sets: (Set<number> | undefined)[] = new Array(nF);
  for (let i = 0; i < n; i++) {
    const f = feature[i]!;
    if (f < 0) continue;
    const t = threshold[i]!;
    if (Number.isNaN(t)) return null; // x <= NaN is never true: not expressible as a code compare
    (sets[f] ??= new Set()).add(t);
  }
  const FI: number[] = [];
  const FT: number[] = [];
  const TC: number[] = [];
  const BJ: number[] = [];
  const BT: number[] = [];
  const BS: number[] = [];
  const tables: Float64Array[] = [];
  const kIndex: (Map<number, number> | undefined)[] = new Array(nF);
  const uOf = new Int32Array(nF).fill(-1);
  /** Mask slot of each bit feature's threshold (by feature; −1: not a bit feature). */
  const bitSlot = new Int32Array(nF).fill(-1);
  let tLen = 0;
  let nSlots = 0;
  for (let f = 0; f < nF; f++) {
    const s = sets[f];
    if (!s) continue;
    const sorted = Float64Array.from(s).sort();
    const m = sorted.length;
    if (m > 1 << 20) return null; // keeps the padded search table (2^K − 1 doubles) bounded
    if (m === 1) {
      bitSlot[f] = nSlots;
      BJ.push(f);
      BT.push(sorted[0]!);
      BS.push(nSlots * GW);
      nSlots += 1;
      continue;
    }
    let K = 1;
    while ((1 << K) - 1 < m) K++;
    const tab = new Float64Array((1 << K) - 1).fill(Infinity);
    tab.set(sorted);
    const idx = new Map<number, number>();
    sorted.forEach((v, k) => idx.set(v, k));
    kIndex[f] = idx;
    uOf[f] = FI.length / FS;
    FI.push(f, K, tLen, nSlots, m);
    const g = gridTable(sorted);
    if (g) {
      FI.push(TC.length, g.S === 1 ? 1 : 0, g.base);
      FT.push(g.base / g.S, (g.base + g.codes.length - 1) / g.S);
      TC.push(...g.codes);
    } else {
      FI.push(-1, 0, 0);
      FT.push(0, 0);
    }
    tables.push(tab);
    tLen += tab.length;
    nSlots += m + 1;
  }
  const T = new Float64Array(tLen);
  for (let u = 0, o = 0; u < tables.length; o += tables[u]!.length, u++) T.set(tables[u]!, o);

  const ND = new Int32Array(2 * n);
  const leafValue = new Float32Array(n);
  const LS: number[] = [0];
  const LC: number[] = [];
  const LV: number[] = [];
  const pureLeaves = new Float64Array(nC);
  for (let i = 0; i < n; i++) {
    const f = feature[i]!;
    if (f < 0) {
      const lo = child[i]!;
      let nz = 0;
      let cls = 0;
      for (let c = 0; c < nC; c++) {
        if (leafValues[lo + c] !== 0) {
          nz++;
          cls = c;
        }
      }
      if (nz === 1) {
        ND[2 * i] = -1 - cls;
        ND[2 * i + 1] = leafValues[lo + cls] === 1 ? 1 : 0;
        leafValue[i] = leafValues[lo + cls]!;
        pureLeaves[cls]!++;
      } else {
        for (let c = 0; c < nC; c++) {
          const v = leafValues[lo + c]!;
          if (v !== 0) {
            LC.push(c);
            LV.push(v);
          }
        }
        ND[2 * i] = -1 - nC - (LS.length - 1);
        LS.push(LC.length);
      }
    } else {
      const u = uOf[f]!;
      ND[2 * i] = (u >= 0 ? FI[FS * u + 3]! + kIndex[f]!.get(threshold[i]!)! + 1 : bitSlot[f]!) * GW;
      ND[2 * i + 1] = 2 * child[i]!;
    }
  }
  let maxDepth = 0;
  const stack: number[] = [];
  for (let t = 0; t < roots.length; t++) {
    stack.push(roots[t]!, 0);
    while (stack.length) {
      const d = stack.pop()!;
      const i = stack.pop()!;
      if (d > maxDepth) maxDepth = d;
      if (feature[i]! >= 0) stack.push(child[i]!, d + 1, child[i]! + 1, d + 1);
    }
  }
  // a power of two, so that a sorted position's block is a shift (listBits)
  let groups = MAX_BLOCK_GROUPS;
  while (groups > 1 && groups * nSlots * GW > MASK_WORDS_BUDGET) groups >>= 1;
  const groupCounts = nC * counterPlanes(roots.length) * GW + GW + nC;
  const maskBase = 2 * n;
  const stackBase = maskBase + groups * nSlots * GW;
  const countBase = stackBase + (1 + GW) * (maxDepth + 2);
  const work = new Int32Array(countBase + groups * groupCounts);
  work.set(ND);
  return {
    nU: FI.length / FS,
    FI: Int32Array.from(FI),
    FT: Float64Array.from(FT),
    TC: Uint8Array.from(TC),
    hasTable: Uint8Array.from({ length: FI.length / FS }, (_, u) => +(FI[FS * u + 5]! >= 0)),
    tableOn: Uint8Array.from({ length: FI.length / FS }, (_, u) => +(FI[FS * u + 5]! >= 0)),
    T,
    nB: BJ.length,
    BJ: Int32Array.from(BJ),
    BT: Float64Array.from(BT),
    BS: Int32Array.from(BS),
    nSlots,
    work,
    maskBase,
    stackBase,
    countBase,
    groupCounts,
    leafValue,
    LS: Int32Array.from(LS),
    LC: Int32Array.from(LC),
    LV: Float32Array.from(LV),
    rows,
    roots2: Int32Array.from(roots, (r) => 2 * r),
    maxDepth,
    skipClass: pureLeaves.indexOf(Math.max(...pureLeaves)),
    groups,
  };
}

/**
 * Code lookup table of a coded feature with sorted distinct thresholds `sorted`: inputs are mostly
 * small integers (counts, flags, byte values) or, for features whose thresholds all lie in [0, 1),
 * hundredths (rates). The grid values g_i = (i + base) / S, i < L (S = 1 or RATE_SCALE) get
 * codes[i] = c(g_i) = #{T_j < g_i}, computed from that same double, so an input x === g_i has code
 * codes[i] exactly. Inputs below g_0 or above g_{L−1} are clamped to them, which is exact when no
 * threshold lies below g_0 (all such x have code 0 = c(g_0)), resp. at or above g_{L−1} (code m);
 * where it is not, that end's entry is TABLE_MISS and the binary search decides. null when codes do
 * not fit a byte.
 */
function gridTable(sorted: Float64Array): { S: number; base: number; codes: Uint8Array } | null {
  const m = sorted.length;
  if (m >= TABLE_MISS) return null;
  const t0 = sorted[0]!;
  const tm = sorted[m - 1]!;
  let S = 1;
  let base = 0;
  let L = RATE_SCALE + 1;
  if (t0 >= 0 && tm < 1) S = RATE_SCALE;
  else {
    // from the lowest threshold's integer part (at most TABLE_LOW below 0) to the first integer
    // above the highest (at most TABLE_MAX values); no table when all thresholds lie below that grid
    base = Math.max(-TABLE_LOW, Math.min(0, Math.floor(t0)));
    L = Math.min(TABLE_MAX, Math.floor(tm) + 2 - base);
    if (!(L >= 2)) return null;
  }
  const codes = new Uint8Array(L);
  for (let i = 0, k = 0; i < L; i++) {
    const g = S === 1 ? i + base : RATE_GRID[i]!;
    while (k < m && sorted[k]! < g) k++;
    codes[i] = k;
  }
  if (!(t0 >= (S === 1 ? base : 0))) codes[0] = TABLE_MISS;
  if (!(tm < (S === 1 ? base + L - 1 : 1))) codes[L - 1] = TABLE_MISS;
  return { S, base, codes };
}

/**
 * Predicts `nRows` rows of row-major `X` (nRows × forest.nFeatures). Writes the mean of the trees'
 * leaf distributions to outProba (nRows × nClasses) and its argmax (lowest index on ties, like
 * numpy) to outClass. Allocation-free after the first call on a forest (the module's scratch
 * buffers grow to one span, ≤ SPAN_ROWS rows, once; the sort takes a view of one): callers reuse the
 * output buffers across batches.
 */
export function predictBatch(
  forest: Forest,
  X: Float64Array | Float32Array,
  nRows: number,
  outClass: Int32Array,
  outProba: Float32Array,
): void {
  const nF = forest.nFeatures;
  const nC = forest.nClasses;
  if (X.length < nRows * nF) throw new RangeError(`predictBatch: X holds ${X.length} values, need ${nRows * nF}`);
  if (outClass.length < nRows || outProba.length < nRows * nC) throw new RangeError('predictBatch: output buffers too small');
  if (nRows <= 0) return;
  const p = plan(forest);
  if (nRows >= BITSET_MIN_ROWS) {
    if (p.bits === undefined) p.bits = bitPlan(forest, rowPlan(forest, p));
    if (p.bits !== null) {
      predictBitset(forest, p.bits, X, nRows, outClass, outProba);
      return;
    }
  }
  predictRowwise(forest, rowPlan(forest, p), X, nRows, outClass, outProba);
}

// ---------------------------------------------------------------------------------------------
// Row-wise walk (reference semantics; small batches and forests the bitset layout cannot hold)

/**
 * The row-wise walk for any batch size — the implementation predictBatch had before the bitset
 * traversal; same results. For benchmarks and tests only.
 */
export function predictBatchRowwise(forest: Forest, X: Float64Array | Float32Array, nRows: number, outClass: Int32Array, outProba: Float32Array): void {
  if (X.length < nRows * forest.nFeatures) throw new RangeError(`predictBatch: X holds ${X.length} values, need ${nRows * forest.nFeatures}`);
  if (outClass.length < nRows || outProba.length < nRows * forest.nClasses) throw new RangeError('predictBatch: output buffers too small');
  if (nRows > 0) predictRowwise(forest, rowPlan(forest, plan(forest)), X, nRows, outClass, outProba);
}

let rowScratch = new Float64Array(0);

function predictRowwise(forest: Forest, p: RowPlan, X: Float64Array | Float32Array, nRows: number, outClass: Int32Array, outProba: Float32Array): void {
  const { nFeatures: nF, nClasses: nC, roots, leafValues, nonFiniteValue: nf } = forest;
  const { ints, floats } = p;
  if (rowScratch.length < ROW_BLOCK * nF) rowScratch = new Float64Array(ROW_BLOCK * nF);
  const scratch = rowScratch;
  outProba.fill(0, 0, nRows * nC);
  const nTrees = roots.length;
  for (let r0 = 0; r0 < nRows; r0 += ROW_BLOCK) {
    const r1 = Math.min(nRows, r0 + ROW_BLOCK);
    // Map NaN/±Infinity once per block (into scratch) rather than testing on every node visit.
    let src: Float64Array | Float32Array = X;
    let off = 0;
    for (let i = r0 * nF, e = r1 * nF; i < e; i++) {
      const v = X[i]!;
      if (!(v - v === 0)) {
        for (let j = r0 * nF, k = 0; j < e; j++, k++) {
          const u = X[j]!;
          scratch[k] = u - u === 0 ? u : nf;
        }
        src = scratch;
        off = r0 * nF;
        break;
      }
    }
    for (let t = 0; t < nTrees; t++) {
      const root = roots[t]!;
      for (let r = r0; r < r1; r++) {
        const xo = r * nF - off;
        let node = root;
        let f = ints[4 * node]!;
        while (f >= 0) {
          node = ints[4 * node + 1]! + (src[xo + f]! <= floats[2 * node + 1]! ? 0 : 1);
          f = ints[4 * node]!;
        }
        const lo = ints[4 * node + 1]!;
        const po = r * nC;
        for (let c = 0; c < nC; c++) outProba[po + c]! += leafValues[lo + c]!;
      }
    }
  }
  const inv = nTrees > 0 ? 1 / nTrees : 0;
  for (let r = 0; r < nRows; r++) outClass[r] = finishRow(outProba, r * nC, outProba, r * nC, nC, inv);
}

/**
 * Scales one row's summed leaf values by 1/nTrees into `dst` and returns the argmax class (lowest
 * index on ties, like numpy). Shared by both paths so their results stay identical.
 */
function finishRow(src: Float32Array, so: number, dst: Float32Array, dOff: number, nC: number, inv: number): number {
  let best = 0;
  let bestP = -1;
  for (let c = 0; c < nC; c++) {
    const pr = src[so + c]! * inv;
    dst[dOff + c] = pr;
    if (pr > bestP) {
      bestP = pr;
      best = c;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Bitset traversal

/**
 * The module's scratch buffers: they only grow (to the largest span seen), so a call allocates
 * nothing once they are big enough.
 */
interface SpanScratch {
  /** Codes (mask slot numbers) of the span's rows, row-major: CD[r·nU + u]. */
  CD: Int32Array;
  /** Bit features' tile words: BW[k·nB + b]. */
  BW: Int32Array;
  /** Sort keys, then the sorted order. */
  KY: Float64Array;
  /** PM[i] = span row at sorted position i; RK is its inverse. */
  PM: Int32Array;
  RK: Int32Array;
  /** Set bits of the bit features by block (see listBits): entries BO[c]..BO[c+1] belong to block c of the span. */
  BL: Int32Array;
  BO: Int32Array;
  /** Float32 sums of one block's rows (in sorted order). */
  PB: Float32Array;
}

const scratch: SpanScratch = {
  CD: new Int32Array(0),
  BW: new Int32Array(0),
  KY: new Float64Array(0),
  PM: new Int32Array(0),
  RK: new Int32Array(0),
  BL: new Int32Array(0),
  BO: new Int32Array(SPAN_ROWS / GR + 1),
  PB: new Float32Array(0),
};
const walkState = new Int32Array(6);

function spanScratch(span: number, nU: number, nB: number, sums: number): SpanScratch {
  const S = scratch;
  if (S.CD.length < span * nU) S.CD = new Int32Array(span * nU);
  if (S.BW.length < Math.ceil(span / TILE) * nB) S.BW = new Int32Array(Math.ceil(span / TILE) * nB);
  if (S.KY.length < span) {
    S.KY = new Float64Array(span);
    S.PM = new Int32Array(span);
    S.RK = new Int32Array(span);
  }
  if (S.PB.length < sums) S.PB = new Float32Array(sums);
  return S;
}

/**
 * Counts instead of float adds: leaves of fully grown trees are pure (one class, value exactly 1),
 * and a float32 sum of ones is the exact integer count (< 2^24) whatever the order. So each group
 * keeps, per class, a bit-sliced counter (NP bit planes of 4 words, incremented for all rows of a
 * leaf at once by a ripple-carry over the planes) and a "float mode" mask of rows that met any
 * other leaf value. At that moment the row's counts — exactly its float32 sums so far — are written
 * to its float32 accumulators, which from then on take every leaf value by ordinary float adds in
 * tree order. At the end of the block the rows still counting get their counts as sums. This
 * replaces ~100 per-row float adds per row with a few word operations per leaf visit. One class
 * (`skipClass`) is not counted at all: a counting row got exactly one leaf, of one class, from each
 * tree so far, so its count is (trees so far) − (the other classes' counts) — on binary NSL-KDD that
 * halves the leaf work.
 */
function counterPlanes(nTrees: number): number {
  let np = 1;
  while (2 ** np <= nTrees) np++;
  return np;
}

function predictBitset(forest: Forest, bp: BitPlan, X: Float64Array | Float32Array, nRows: number, outClass: Int32Array, outProba: Float32Array): void {
  const nF = forest.nFeatures;
  const nC = forest.nClasses;
  const { nU, FI, work: A, leafValue, LS, LC, LV, roots2, nSlots, maskBase, stackBase, countBase, groupCounts } = bp;
  const nTrees = roots2.length;
  const skip = bp.skipClass;
  const block = bp.groups * GR;
  const span = Math.min(nRows, SPAN_ROWS);
  const groupWords = nSlots * GW;
  // counting is exact while every count fits a float32 integer (nTrees < 2^24); else all rows start in float mode
  const counting = nTrees < 1 << 24;
  const NP = counterPlanes(nTrees);
  const fmOff = nC * NP * GW;
  const S = spanScratch(span, nU, bp.nB, block * nC);
  const { CD, BW, KY, PM, RK, PB } = S;
  const ST = walkState;
  const inv = nTrees > 0 ? 1 / nTrees : 0;
  for (let s0 = 0; s0 < nRows; s0 += span) {
    const sn = Math.min(span, nRows - s0);
    codeRows(bp, X, nF, s0, sn, +forest.nonFiniteValue, CD, BW, KY, forest.roots[0]!);
    KY.subarray(0, sn).sort();
    for (let i = 0; i < sn; i++) {
      const r = (KY[i]! % SPAN_ROWS) | 0;
      PM[i] = r;
      RK[r] = i;
    }
    const BL = listBits(bp.nB, BW, Math.ceil(sn / TILE), RK, 31 - Math.clz32(block), Math.ceil(sn / block), S);
    for (let c0 = 0, c = 0; c0 < sn; c0 += block, c++) {
      const n = Math.min(block, sn - c0);
      const nGroups = Math.ceil(n / GR);
      for (let g = 0; g < nGroups; g++) buildMasks(FI, nU, groupWords, CD, PM, c0 + g * GR, Math.min(GR, n - g * GR), A, maskBase + g * groupWords);
      scatterBits(bp.BS, BL, S.BO[c]!, S.BO[c + 1]!, A, maskBase, groupWords);
      PB.fill(0, 0, n * nC);
      A.fill(0, countBase, countBase + nGroups * groupCounts);
      if (!counting) for (let g = 0; g < nGroups; g++) A.fill(-1, countBase + g * groupCounts + fmOff, countBase + g * groupCounts + fmOff + GW);
      for (let t = 0; t < nTrees; t++) {
        const root = roots2[t]!;
        for (let g = 0; g < nGroups; g++) {
          const cnt = n - g * GR;
          const mb = maskBase + g * groupWords;
          const cb = countBase + g * groupCounts;
          const fm = cb + fmOff;
          let more = walkGroup(A, ST, mb, stackBase, root, stackBase, wordMask(cnt), wordMask(cnt - 32), wordMask(cnt - 64), wordMask(cnt - 96), nC, cb, fm, NP, skip);
          while (more !== 0) {
            slowLeaf(A, leafValue, PB, LS, LC, LV, ST[0]!, ST[1]!, ST[2]!, ST[3]!, ST[4]!, g * GR * nC, nC, cb, fm, NP, skip, t);
            let sp = ST[5]!;
            if (sp === stackBase) break;
            sp -= 5;
            more = walkGroup(A, ST, mb, stackBase, A[sp]!, sp, A[sp + 1]!, A[sp + 2]!, A[sp + 3]!, A[sp + 4]!, nC, cb, fm, NP, skip);
          }
        }
      }
      for (let g = 0; g < nGroups; g++) {
        const cb = countBase + g * groupCounts;
        const cnt = n - g * GR;
        for (let w = 0; w < GW; w++) {
          const rows = wordMask(cnt - 32 * w) & ~A[cb + fmOff + w]!;
          if (rows !== 0) writeCounts(A, cb, NP, nC, PB, g * GR * nC, w, rows, skip, nTrees);
        }
      }
      for (let i = 0; i < n; i++) {
        const r = s0 + PM[c0 + i]!;
        outClass[r] = finishRow(PB, i * nC, outProba, r * nC, nC, inv);
      }
    }
  }
}

/**
 * Counts → float32 sums for the rows of group word w in `rows` after `trees` trees: PB[row][c] =
 * count (classes with any count; PB is 0 elsewhere), PB[row][skip] = trees − the others' counts.
 */
function writeCounts(CT: Int32Array, cb: number, NP: number, nC: number, PB: Float32Array, pbase: number, w: number, rows: number, skip: number, trees: number): void {
  const present = (cb + nC * NP * GW + GW) | 0;
  for (let c = 0; c < nC; c++) {
    if (c === skip || CT[present + c] === 0) continue;
    const pc = (cb + c * NP * GW + w) | 0;
    let any = 0;
    for (let p = 0; p < NP; p++) any |= CT[pc + p * GW]!;
    let m = any & rows;
    while (m !== 0) {
      const low = m & -m;
      m ^= low;
      const b = 31 - Math.clz32(low);
      let k = 0;
      for (let p = 0; p < NP; p++) k |= ((CT[pc + p * GW]! >>> b) & 1) << p;
      PB[(pbase + (32 * w + b) * nC + c) | 0] = k;
    }
  }
  let m = rows;
  while (m !== 0) {
    const low = m & -m;
    m ^= low;
    const po = (pbase + (32 * w + 31 - Math.clz32(low)) * nC) | 0;
    let sum = 0;
    for (let c = 0; c < nC; c++) if (c !== skip) sum += PB[po + c]!;
    PB[po + skip] = trees - sum;
  }
}


/** Bits of a group word holding rows [32w, 32w+32) when the group has `rows` rows (rows − 32w given). */
function wordMask(left: number): number {
  return left >= 32 ? -1 : left <= 0 ? 0 : (1 << left) - 1;
}

/**
 * Per tile of TILE rows of the span r0..r0+n (its X rows stay in cache meanwhile): the codes of the
 * coded features, the words of the bit features, and the sort key of each row. Codes are stored as
 * mask slot numbers (slot base of the feature + code) at CD[r·nU + u] for span row r (buildMasks
 * then scatters without a lookup); bit feature b's word for tile k is BW[k·nB + b].
 */
function codeRows(bp: BitPlan, X: Float64Array | Float32Array, nF: number, r0: number, n: number, nf: number, CD: Int32Array, BW: Int32Array, KY: Float64Array, root: number): void {
  const { FI, nU, T, nB, BJ, BT, hasTable, tableOn } = bp;
  for (let t0 = 0, k = 0; t0 < n; t0 += TILE, k++) {
    const cnt = Math.min(TILE, n - t0);
    const xt = (r0 + t0) * nF;
    probeCount = (probeCount + 1) & (TABLE_PROBE - 1);
    for (let u = 0; u < nU; u = (u + 1) | 0) {
      const f = FS * u;
      const xo = xt + FI[f]!;
      const co = t0 * nU + u;
      // A feature whose inputs miss its table in a tile goes back to the 8-row search (a miss costs
      // a mispredicted branch and a search of its own) until a probe tile finds its inputs on the
      // grid again. Which way a code is found never changes it.
      if (tableOn[u] !== 0 || (probeCount === 0 && hasTable[u] !== 0)) tableOn[u] = +(codeTable(bp, u, X, xo, nF, cnt, nf, CD, co, nU) <= TABLE_MISSES);
      else codeSearch(T, FI[f + 1]!, FI[f + 2]!, FI[f + 3]!, FI[f + 4]!, X, xo, nF, cnt, nf, CD, co, nU);
    }
    for (let b = 0; b < nB; b = (b + 1) | 0) BW[k * nB + b] = codeBits(BT[b]!, X, xt + BJ[b]!, nF, cnt, nf);
    sortKeys(bp.rows, root, X, xt, nF, cnt, nf, KY, t0);
  }
}

/**
 * Codes of cnt rows of coded feature u from its lookup table (see gridTable): x is clamped to the
 * grid's ends and its grid index rounded from x; the entry is used when that grid value is x
 * itself, the binary search (searchOne) decides otherwise. Four rows at a time: V8 re-checks the
 * arrays and reloads spilled values once per iteration (one row at a time cost NSL-KDD 4 % more
 * instructions overall). Returns the number of rows searched.
 */
function codeTable(bp: BitPlan, u: number, X: Float64Array | Float32Array, xoIn: number, nFIn: number, cnt: number, nfIn: number, CD: Int32Array, coIn: number, nUIn: number): number {
  const { FI, FT, TC } = bp;
  const f = FS * u;
  const sb = FI[f + 3]!;
  const to = FI[f + 5]!;
  const integers = FI[f + 6]! === 1;
  const base = FI[f + 7]!;
  const lo = FT[2 * u]!;
  const hi = FT[2 * u + 1]!;
  const scale = integers ? 1 : RATE_SCALE;
  const off = 0.5 - base;
  const G = RATE_GRID;
  const nf = +nfIn; // number-typed (see codeSearch)
  const nF = nFIn | 0;
  const nU = nUIn | 0;
  let xo = xoIn | 0;
  let co = coIn | 0;
  let misses = 0;
  let r = 0;
  for (; r + 4 <= cnt; r = (r + 4) | 0) {
    let x0 = X[xo]!;
    let x1 = X[(xo + nF) | 0]!;
    let x2 = X[(xo + 2 * nF) | 0]!;
    let x3 = X[(xo + 3 * nF) | 0]!;
    if (!(x0 - x0 === 0)) x0 = nf;
    if (!(x1 - x1 === 0)) x1 = nf;
    if (!(x2 - x2 === 0)) x2 = nf;
    if (!(x3 - x3 === 0)) x3 = nf;
    // clamped to the grid's ends; NaN (no non-finite mapping) stays NaN and misses
    const y0 = x0 < lo ? lo : x0 > hi ? hi : x0;
    const y1 = x1 < lo ? lo : x1 > hi ? hi : x1;
    const y2 = x2 < lo ? lo : x2 > hi ? hi : x2;
    const y3 = x3 < lo ? lo : x3 > hi ? hi : x3;
    const i0 = (y0 * scale + off) | 0;
    const i1 = (y1 * scale + off) | 0;
    const i2 = (y2 * scale + off) | 0;
    const i3 = (y3 * scale + off) | 0;
    let c0 = TC[(to + i0) | 0]!;
    let c1 = TC[(to + i1) | 0]!;
    let c2 = TC[(to + i2) | 0]!;
    let c3 = TC[(to + i3) | 0]!;
    if ((integers ? i0 + base : G[i0]!) !== y0 || c0 === TABLE_MISS) {
      c0 = searchOne(bp, u, x0);
      misses++;
    }
    if ((integers ? i1 + base : G[i1]!) !== y1 || c1 === TABLE_MISS) {
      c1 = searchOne(bp, u, x1);
      misses++;
    }
    if ((integers ? i2 + base : G[i2]!) !== y2 || c2 === TABLE_MISS) {
      c2 = searchOne(bp, u, x2);
      misses++;
    }
    if ((integers ? i3 + base : G[i3]!) !== y3 || c3 === TABLE_MISS) {
      c3 = searchOne(bp, u, x3);
      misses++;
    }
    CD[co] = sb + c0;
    CD[(co + nU) | 0] = sb + c1;
    CD[(co + 2 * nU) | 0] = sb + c2;
    CD[(co + 3 * nU) | 0] = sb + c3;
    xo = (xo + 4 * nF) | 0;
    co = (co + 4 * nU) | 0;
  }
  for (; r < cnt; r = (r + 1) | 0) {
    let x = X[xo]!;
    if (!(x - x === 0)) x = nf;
    const y = x < lo ? lo : x > hi ? hi : x;
    const i = (y * scale + off) | 0;
    let c = TC[(to + i) | 0]!;
    if ((integers ? i + base : G[i]!) !== y || c === TABLE_MISS) {
      c = searchOne(bp, u, x);
      misses++;
    }
    CD[co] = sb + c;
    xo = (xo + nF) | 0;
    co = (co + nU) | 0;
  }
  return misses;
}

/** Code of one (non-finite already mapped) value x of coded feature u by binary search (see codeSearch). */
function searchOne(bp: BitPlan, u: number, x: number): number {
  const { FI, T } = bp;
  const ob = (FI[FS * u + 2]! - 1) | 0;
  const m = FI[FS * u + 4]!;
  let i = ob;
  for (let h = 1 << (FI[FS * u + 1]! - 1); h > 0; h >>= 1) i = (i + (h & -!(x <= T[(i + h) | 0]!))) | 0;
  i = (i - ob) | 0;
  return i < m ? i : m;
}

/**
 * Codes of cnt rows of one coded feature (K search steps over its thresholds at T[o..], slot base
 * sb, m thresholds) by branch-free binary search: i = #{thresholds < x}; the table is padded with
 * +Infinity, which no x exceeds; NaN exceeds all (!(NaN <= t)) and is clamped to m. Eight rows at
 * a time: each search is a chain of dependent loads, independent chains keep the core busy (4 rows:
 * 1.9× over one row on CICIDS2017, 8 rows another 14 %).
 */
function codeSearch(T: Float64Array, K: number, o: number, sb: number, m: number, X: Float64Array | Float32Array, xoIn: number, nF: number, cnt: number, nfIn: number, CD: Int32Array, coIn: number, nU: number): void {
  // A number-typed local, not the parameter: with `x = nf` on the parameter V8 keeps x tagged (a
  // heap number per non-integer input: 9–18 % more instructions in this pass, 2.5–3.4× the
  // mispredicted branches).
  const nf = +nfIn;
  const h0 = 1 << (K - 1);
  const ob = (o - 1) | 0;
  let xo = xoIn | 0;
  let co = coIn | 0;
  let r = 0;
  for (; r + 8 <= cnt; r = (r + 8) | 0) {
    let x0 = X[xo]!;
    let x1 = X[(xo + 1 * nF) | 0]!;
    let x2 = X[(xo + 2 * nF) | 0]!;
    let x3 = X[(xo + 3 * nF) | 0]!;
    let x4 = X[(xo + 4 * nF) | 0]!;
    let x5 = X[(xo + 5 * nF) | 0]!;
    let x6 = X[(xo + 6 * nF) | 0]!;
    let x7 = X[(xo + 7 * nF) | 0]!;
    if (!(x0 - x0 === 0)) x0 = nf;
    if (!(x1 - x1 === 0)) x1 = nf;
    if (!(x2 - x2 === 0)) x2 = nf;
    if (!(x3 - x3 === 0)) x3 = nf;
    if (!(x4 - x4 === 0)) x4 = nf;
    if (!(x5 - x5 === 0)) x5 = nf;
    if (!(x6 - x6 === 0)) x6 = nf;
    if (!(x7 - x7 === 0)) x7 = nf;
    let i0 = ob;
    let i1 = ob;
    let i2 = ob;
    let i3 = ob;
    let i4 = ob;
    let i5 = ob;
    let i6 = ob;
    let i7 = ob;
    for (let h = h0; h > 0; h >>= 1) {
      i0 = (i0 + (h & -!(x0 <= T[(i0 + h) | 0]!))) | 0;
      i1 = (i1 + (h & -!(x1 <= T[(i1 + h) | 0]!))) | 0;
      i2 = (i2 + (h & -!(x2 <= T[(i2 + h) | 0]!))) | 0;
      i3 = (i3 + (h & -!(x3 <= T[(i3 + h) | 0]!))) | 0;
      i4 = (i4 + (h & -!(x4 <= T[(i4 + h) | 0]!))) | 0;
      i5 = (i5 + (h & -!(x5 <= T[(i5 + h) | 0]!))) | 0;
      i6 = (i6 + (h & -!(x6 <= T[(i6 + h) | 0]!))) | 0;
      i7 = (i7 + (h & -!(x7 <= T[(i7 + h) | 0]!))) | 0;
    }
    i0 = (i0 - ob) | 0;
    i1 = (i1 - ob) | 0;
    i2 = (i2 - ob) | 0;
    i3 = (i3 - ob) | 0;
    i4 = (i4 - ob) | 0;
    i5 = (i5 - ob) | 0;
    i6 = (i6 - ob) | 0;
    i7 = (i7 - ob) | 0;
    CD[co] = sb + (i0 < m ? i0 : m);
    CD[(co + 1 * nU) | 0] = sb + (i1 < m ? i1 : m);
    CD[(co + 2 * nU) | 0] = sb + (i2 < m ? i2 : m);
    CD[(co + 3 * nU) | 0] = sb + (i3 < m ? i3 : m);
    CD[(co + 4 * nU) | 0] = sb + (i4 < m ? i4 : m);
    CD[(co + 5 * nU) | 0] = sb + (i5 < m ? i5 : m);
    CD[(co + 6 * nU) | 0] = sb + (i6 < m ? i6 : m);
    CD[(co + 7 * nU) | 0] = sb + (i7 < m ? i7 : m);
    xo = (xo + 8 * nF) | 0;
    co = (co + 8 * nU) | 0;
  }
  for (; r < cnt; r = (r + 1) | 0) {
    let x = X[xo]!;
    if (!(x - x === 0)) x = nf;
    let i = ob;
    for (let h = h0; h > 0; h >>= 1) i = (i + (h & -!(x <= T[(i + h) | 0]!))) | 0;
    i = (i - ob) | 0;
    CD[co] = sb + (i < m ? i : m);
    xo = (xo + nF) | 0;
    co = (co + nU) | 0;
  }
}

/**
 * A bit feature (one threshold t) on cnt ≤ 32 rows: bit r of the result is set iff row r goes
 * right (x > t, non-finite x taken as nf). No code is stored: the word goes to listBits, which only
 * looks at the set bits (one-hot columns are mostly 0). Eight rows at a time measured the same.
 */
function codeBits(t: number, X: Float64Array | Float32Array, xoIn: number, nF: number, cnt: number, nf: number): number {
  const cnf = +!(nf <= t);
  let xo = xoIn | 0;
  let w = 0;
  let r = 0;
  for (; r + 4 <= cnt; r = (r + 4) | 0) {
    const x0 = X[xo]!;
    const x1 = X[(xo + nF) | 0]!;
    const x2 = X[(xo + 2 * nF) | 0]!;
    const x3 = X[(xo + 3 * nF) | 0]!;
    const b0 = x0 - x0 === 0 ? +!(x0 <= t) : cnf;
    const b1 = x1 - x1 === 0 ? +!(x1 <= t) : cnf;
    const b2 = x2 - x2 === 0 ? +!(x2 <= t) : cnf;
    const b3 = x3 - x3 === 0 ? +!(x3 <= t) : cnf;
    w |= (b0 | (b1 << 1) | (b2 << 2) | (b3 << 3)) << r;
    xo = (xo + 4 * nF) | 0;
  }
  for (; r < cnt; r = (r + 1) | 0) {
    const x = X[xo]!;
    w |= (x - x === 0 ? +!(x <= t) : cnf) << r;
    xo = (xo + nF) | 0;
  }
  return w;
}

/**
 * Sort keys of cnt rows (X at xo + r·nF, span rows r1 + r): the leaf each row reaches in tree 0
 * (plain walk on X, non-finite values as nf), as leaf · SPAN_ROWS + row (exact in a double for any
 * realistic node count). Sub-sorting by the leaf of tree 1 saved NSL-KDD 17 % of the node visits,
 * but measured no faster there and 4–5 % slower on CICIDS2017.
 */
function sortKeys(p: RowPlan, root: number, X: Float64Array | Float32Array, xoIn: number, nF: number, cnt: number, nfIn: number, KY: Float64Array, r1: number): void {
  const { ints, floats } = p;
  const nf = +nfIn; // number-typed (see codeSearch)
  let xo = xoIn | 0;
  for (let r = 0; r < cnt; r = (r + 1) | 0) {
    let node = root | 0;
    let f = ints[4 * node]!;
    while (f >= 0) {
      let x = X[(xo + f) | 0]!;
      if (!(x - x === 0)) x = nf;
      node = (ints[(4 * node + 1) | 0]! + +!(x <= floats[(2 * node + 1) | 0]!)) | 0;
      f = ints[4 * node]!;
    }
    KY[(r1 + r) | 0] = node * SPAN_ROWS + r1 + r;
    xo = (xo + nF) | 0;
  }
}

/**
 * The set bits of the bit features' tile words, as entries (b << POS_BITS | position within its
 * block), grouped by the block of the span their row's sorted position q = RK[r] falls in (counting
 * sort: entries of block c at BL[BO[c]..BO[c+1])). Only set bits cost anything: NSL-KDD's 89
 * one-hot and flag columns have 3.5 per row.
 */
function listBits(nB: number, BW: Int32Array, nTiles: number, RK: Int32Array, blockShift: number, nBlocks: number, S: SpanScratch): Int32Array {
  const BO = S.BO;
  BO.fill(0, 0, nBlocks + 1);
  for (let k = 0, i = 0; k < nTiles; k = (k + 1) | 0) {
    const rb = (k * TILE + 31) | 0;
    for (let e = (i + nB) | 0; i < e; i = (i + 1) | 0) {
      let w = BW[i]!;
      while (w !== 0) {
        const low = w & -w;
        w ^= low;
        BO[((RK[(rb - Math.clz32(low)) | 0]! >> blockShift) + 1) | 0]!++;
      }
    }
  }
  for (let c = 0; c < nBlocks; c++) BO[c + 1]! += BO[c]!;
  if (S.BL.length < BO[nBlocks]!) S.BL = new Int32Array(BO[nBlocks]! * 2);
  const BL = S.BL;
  const qMask = (1 << blockShift) - 1;
  for (let k = 0, i = 0; k < nTiles; k = (k + 1) | 0) {
    const rb = (k * TILE + 31) | 0;
    for (let b = 0; b < nB; b = (b + 1) | 0, i = (i + 1) | 0) {
      let w = BW[i]!;
      while (w !== 0) {
        const low = w & -w;
        w ^= low;
        const q = RK[(rb - Math.clz32(low)) | 0]!;
        const c = q >> blockShift;
        BL[BO[c]!++] = (b << POS_BITS) | (q & qMask);
      }
    }
  }
  // the fill advanced each BO[c] to the start of block c + 1: shift back
  for (let c = nBlocks; c > 0; c--) BO[c] = BO[c - 1]!;
  BO[0] = 0;
  return BL;
}

/** Masks of the bit features for one block, from its entries BL[e0..e1) (see listBits): row q of the block is bit q & 31 of word (q >> 5) & 3 of group q >> 7. */
function scatterBits(BS: Int32Array, BL: Int32Array, e0: number, e1: number, W: Int32Array, maskBase: number, groupWords: number): void {
  for (let e = e0; e < e1; e = (e + 1) | 0) {
    const v = BL[e]!;
    const q = v & POS_MASK;
    const s = (maskBase + BS[v >>> POS_BITS]! + (q >> 7) * groupWords + ((q >> 5) & 3)) | 0;
    W[s] = W[s]! | (1 << (q & 31));
  }
}

/**
 * Masks of one group (rows PM[q0..q0+cnt) in order, row q at bit q&31 of word q>>5): slot s of
 * feature u ends up holding the rows with code ≥ s, i.e. the rows that go right at threshold s − 1.
 * Two functions, one loop each: with both loops in one function V8 compiled the first loop on
 * stack replacement and deoptimised at the second (no type feedback yet) on every call for a while.
 */
function buildMasks(FI: Int32Array, nU: number, groupWords: number, CD: Int32Array, PM: Int32Array, q0: number, cnt: number, W: Int32Array, gb: number): void {
  W.fill(0, gb, gb + groupWords);
  scatterCodes(nU, CD, PM, q0, cnt, W, gb);
  suffixOr(FI, nU, W, gb);
}

function scatterCodes(nU: number, CD: Int32Array, PM: Int32Array, q0: number, cnt: number, W: Int32Array, gb: number): void {
  for (let q = 0; q < cnt; q = (q + 1) | 0) {
    const co = (PM[(q0 + q) | 0]! * nU) | 0;
    const bit = 1 << (q & 31);
    const wb = (gb + (q >> 5)) | 0;
    for (let u = 0; u < nU; u = (u + 1) | 0) {
      const s = (wb + CD[(co + u) | 0]! * GW) | 0;
      W[s] = W[s]! | bit;
    }
  }
}

function suffixOr(FI: Int32Array, nU: number, W: Int32Array, gb: number): void {
  for (let u = 0; u < nU; u = (u + 1) | 0) {
    const b0 = (gb + FI[(FS * u + 3) | 0]! * GW) | 0;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let c = (b0 + FI[(FS * u + 4) | 0]! * GW) | 0, e = (b0 + GW) | 0; c >= e; c = (c - GW) | 0) {
      a0 |= W[c]!;
      a1 |= W[(c + 1) | 0]!;
      a2 |= W[(c + 2) | 0]!;
      a3 |= W[(c + 3) | 0]!;
      W[c] = a0;
      W[(c + 1) | 0] = a1;
      W[(c + 2) | 0] = a2;
      W[(c + 3) | 0] = a3;
    }
  }
}

/**
 * Depth-first walk of one tree for one group, from `node` with rows (m0..m3) and stack pointer
 * `sp`. Pending right subtrees go on a stack at W[stackBase..] as (node, 4 mask words). Group
 * counters at CT[cb..] (see predictBitset: NP planes × 4 words per class), float-mode mask at
 * CT[fm..fm+4), per-class "has counts" flags after it. Handles internal nodes and the common leaf
 * (pure, value 1, no row in float mode) itself and returns 1 with the leaf's state in ST =
 * [node, m0, m1, m2, m3, sp] for any other leaf (`slowLeaf`, then resume); 0 when the tree is done.
 * Keeping calls out of this loop lets V8 hold the masks in registers.
 */
function walkGroup(
  A: Int32Array,
  ST: Int32Array,
  mbIn: number,
  stackBaseIn: number,
  nodeIn: number,
  spIn: number,
  m0In: number,
  m1In: number,
  m2In: number,
  m3In: number,
  nCIn: number,
  cbIn: number,
  fmIn: number,
  NPIn: number,
  skipIn: number,
): number {
  // int32 locals instead of the (reassigned) parameters: V8 then keeps the loop state untagged in
  // registers (≈12 % faster walk)
  const mb = mbIn | 0;
  const stackBase = stackBaseIn | 0;
  const nC = nCIn | 0;
  const cb = cbIn | 0;
  const fm = fmIn | 0;
  const NP = NPIn | 0;
  const skip = skipIn | 0;
  let node = nodeIn | 0;
  let sp = spIn | 0;
  let m0 = m0In | 0;
  let m1 = m1In | 0;
  let m2 = m2In | 0;
  let m3 = m3In | 0;
  for (;;) {
    const a = A[node]!;
    if (a >= 0) {
      const s = (mb + a) | 0;
      const R0 = A[s]!;
      const R1 = A[(s + 1) | 0]!;
      const R2 = A[(s + 2) | 0]!;
      const R3 = A[(s + 3) | 0]!;
      const l0 = m0 & ~R0;
      const l1 = m1 & ~R1;
      const l2 = m2 & ~R2;
      const l3 = m3 & ~R3;
      const r0 = m0 & R0;
      const r1 = m1 & R1;
      const r2 = m2 & R2;
      const r3 = m3 & R3;
      const c = A[(node + 1) | 0]!;
      // Branch-free step (about as fast as branching on which sides have rows, and steadier).
      // The right child is always written to the stack but only kept (sp advanced) when both
      // sides have rows; a node is only ever entered with rows.
      const both = +((r0 | r1 | r2 | r3) !== 0) & +((l0 | l1 | l2 | l3) !== 0);
      A[sp] = (c + 2) | 0;
      A[(sp + 1) | 0] = r0;
      A[(sp + 2) | 0] = r1;
      A[(sp + 3) | 0] = r2;
      A[(sp + 4) | 0] = r3;
      sp = (sp + (5 & -both)) | 0;
      const right = -(+((l0 | l1 | l2 | l3) === 0)); // -1: only the right side has rows
      node = (c + (2 & right)) | 0;
      m0 = l0 | (r0 & right); // right = −1 implies l = 0
      m1 = l1 | (r1 & right);
      m2 = l2 | (r2 & right);
      m3 = l3 | (r3 & right);
      continue;
    }
    let c0 = m0 & ~A[fm]!;
    let c1 = m1 & ~A[(fm + 1) | 0]!;
    let c2 = m2 & ~A[(fm + 2) | 0]!;
    let c3 = m3 & ~A[(fm + 3) | 0]!;
    if (a < -nC || A[(node + 1) | 0] !== 1 || (c0 ^ m0 | c1 ^ m1 | c2 ^ m2 | c3 ^ m3) !== 0) {
      ST[0] = node;
      ST[1] = m0;
      ST[2] = m1;
      ST[3] = m2;
      ST[4] = m3;
      ST[5] = sp;
      return 1;
    }
    // pure leaf, value 1, all rows counting: ripple-carry increment of the class's bit planes
    const cl = (-1 - a) | 0;
    if (cl !== skip) A[(fm + GW + cl) | 0] = 1;
    for (let i = (cb + cl * NP * GW) | 0, e = cl !== skip ? (i + NP * GW) | 0 : i; i < e; i = (i + GW) | 0) {
      const p0 = A[i]!;
      const p1 = A[(i + 1) | 0]!;
      const p2 = A[(i + 2) | 0]!;
      const p3 = A[(i + 3) | 0]!;
      A[i] = p0 ^ c0;
      A[(i + 1) | 0] = p1 ^ c1;
      A[(i + 2) | 0] = p2 ^ c2;
      A[(i + 3) | 0] = p3 ^ c3;
      c0 &= p0;
      c1 &= p1;
      c2 &= p2;
      c3 &= p3;
      if ((c0 | c1 | c2 | c3) === 0) break; // carry absorbed (on average after ~2 planes)
    }
    if (sp === stackBase) return 0;
    sp = (sp - 5) | 0;
    node = A[sp]!;
    m0 = A[(sp + 1) | 0]!;
    m1 = A[(sp + 2) | 0]!;
    m2 = A[(sp + 3) | 0]!;
    m3 = A[(sp + 4) | 0]!;
  }
}

/** Any leaf walkGroup hands back: rows (x0..x3) of the group reach leaf `node`. */
function slowLeaf(
  A: Int32Array,
  leafValue: Float32Array,
  PB: Float32Array,
  LS: Int32Array,
  LC: Int32Array,
  LV: Float32Array,
  node: number,
  x0: number,
  x1: number,
  x2: number,
  x3: number,
  pbase: number,
  nC: number,
  cb: number,
  fm: number,
  NP: number,
  skip: number,
  tree: number,
): void {
  const a = A[node]!;
  const F0 = A[fm]!;
  const F1 = A[fm + 1]!;
  const F2 = A[fm + 2]!;
  const F3 = A[fm + 3]!;
  if (a >= -nC) {
    const cl = -1 - a;
    const v = leafValue[node >> 1]!;
    if (v === 1) {
      let c0 = x0 & ~F0;
      let c1 = x1 & ~F1;
      let c2 = x2 & ~F2;
      let c3 = x3 & ~F3;
      if (cl !== skip && (c0 | c1 | c2 | c3) !== 0) {
        A[fm + GW + cl] = 1;
        for (let i = cb + cl * NP * GW, e = i + NP * GW; i < e; i += GW) {
          const p0 = A[i]!;
          const p1 = A[i + 1]!;
          const p2 = A[i + 2]!;
          const p3 = A[i + 3]!;
          A[i] = p0 ^ c0;
          A[i + 1] = p1 ^ c1;
          A[i + 2] = p2 ^ c2;
          A[i + 3] = p3 ^ c3;
          c0 &= p0;
          c1 &= p1;
          c2 &= p2;
          c3 &= p3;
        }
      }
      addValue(PB, pbase, nC, cl, v, x0 & F0, x1 & F1, x2 & F2, x3 & F3);
    } else {
      toFloatMode(A, cb, NP, nC, PB, pbase, x0 & ~F0, x1 & ~F1, x2 & ~F2, x3 & ~F3, skip, tree);
      addValue(PB, pbase, nC, cl, v, x0, x1, x2, x3);
    }
  } else {
    toFloatMode(A, cb, NP, nC, PB, pbase, x0 & ~F0, x1 & ~F1, x2 & ~F2, x3 & ~F3, skip, tree);
    const k = -1 - nC - a;
    for (let j = LS[k]!, je = LS[k + 1]!; j < je; j++) addValue(PB, pbase, nC, LC[j]!, LV[j]!, x0, x1, x2, x3);
  }
}

/** PB[row][cl] += v (float32) for the group rows in x0..x3. */
function addValue(PB: Float32Array, pbase: number, nC: number, cl: number, v: number, x0: number, x1: number, x2: number, x3: number): void {
  for (let w = 0; w < GW; w++) {
    let m = w === 0 ? x0 : w === 1 ? x1 : w === 2 ? x2 : x3;
    const pb = (pbase + 32 * w * nC + cl) | 0;
    while (m !== 0) {
      const low = m & -m;
      m ^= low;
      const q = (pb + (31 - Math.clz32(low)) * nC) | 0;
      PB[q] = PB[q]! + v;
    }
  }
}

/** Rows x0..x3 (not yet in float mode) get their counts after `trees` trees as float32 sums and switch to float mode. */
function toFloatMode(CT: Int32Array, cb: number, NP: number, nC: number, PB: Float32Array, pbase: number, x0: number, x1: number, x2: number, x3: number, skip: number, trees: number): void {
  const fm = cb + nC * NP * GW;
  for (let w = 0; w < GW; w++) {
    const rows = w === 0 ? x0 : w === 1 ? x1 : w === 2 ? x2 : x3;
    if (rows === 0) continue;
    writeCounts(CT, cb, NP, nC, PB, pbase, w, rows, skip, trees);
    CT[fm + w] = CT[fm + w]! | rows;
  }
}
