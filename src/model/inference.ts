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
 *     float64 compare itself (NaN goes right in both), no float32 rounding involved. Codes are
 *     computed once per row and feature by a branch-free binary search, 8 rows at a time.
 *  2. Masks. Rows are taken 128 at a time (four 32-bit words). For every (feature, threshold) the
 *     group gets the bit mask of its rows with x > T_k (each row's code scattered, then a suffix
 *     OR). A tree is walked once per group, depth first, carrying the mask of the rows that reach
 *     each node: left = mask & ~R, right = mask & R, empty subtrees are never entered. One node
 *     visit is a few word operations shared by all rows that reach it.
 *  3. Grouping. Rows that take the same paths share visits, so each block of up to 2,048 rows is
 *     sorted by the leaf it reaches in tree 0 (walked on the codes) before it is cut into groups:
 *     on NSL-KDD 0.52 internal node visits per row and tree instead of 1.22 unsorted (and 11.4 for
 *     the plain walk). The order only decides which rows share a group; each row still gets exactly
 *     its own leaves, in tree order.
 *  4. Counting (see predictBitset): leaves of fully grown trees are pure with value exactly 1, and
 *     a float32 sum of ones is an exact integer in any order, so those leaves increment bit-sliced
 *     counters for the whole mask at once; rows meeting any other leaf value switch to ordinary
 *     in-order float32 adds from that tree on, starting from their exact counts.
 * Leaf values of 0 are skipped: adding +0 to a float32 sum that starts at +0 never changes it.
 *
 * Everything is derived from the Forest arrays at first use (WeakMap cache per forest); the model
 * file format is unchanged and no code is generated. Allocation-free per row: per-forest buffers are
 * made once, and the module's scratch buffers only grow with the largest block seen.
 */
import type { Forest } from './forest.js';

/** Batches below this many rows take the plain row-wise walk (the bitset setup is per block; measured crossover ≈ 12–16 rows). */
export const BITSET_MIN_ROWS = 16;
/** Rows per group (= 32 × mask words; the walk kernel below is written for exactly 4 words). */
const GW = 4;
const GR = 32 * GW;
/**
 * Groups per block: a block (≤ 16 × 128 = 2,048 rows) is sorted as a whole and the masks of all its
 * groups are kept while each tree is walked for every group in turn (tree-major: a tree's nodes stay
 * hot). 32 groups gave NSL-KDD +3 % and CICIDS2017 −2 % for twice the memory.
 */
const MAX_BLOCK_GROUPS = 16;
/** Upper bound on the masks of one block (int32 words); forests with very many thresholds get fewer groups per block. */
const MASK_WORDS_BUDGET = 1 << 20;
/** Row tile of the code pass: the tile's X rows stay in cache while each feature is coded (32: ~5 % faster than 16). */
const TILE = 32;
/** Row-wise walk: rows per tree-major block (the old implementation's constant). */
const ROW_BLOCK = 256;

interface BitPlan {
  readonly nU: number;
  /** Per used feature u, 5 ints: input column, K (search steps), offset into T, slot base, m. */
  readonly FI: Int32Array;
  /** Per used feature: sorted distinct thresholds padded with +Infinity to 2^K − 1 entries. */
  readonly T: Float64Array;
  /** Mask slots per group: Σ (m_u + 1). */
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
  /** Code walk of tree 0 (sort key): internal = [u, slot base of u + k, 3·left child]; leaf = [−1, node, 0]. */
  readonly KN: Int32Array;
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

function bitPlan(forest: Forest): BitPlan | null {
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
  const tables: Float64Array[] = [];
  const kIndex: (Map<number, number> | undefined)[] = new Array(nF);
  const uOf = new Int32Array(nF).fill(-1);
  let tLen = 0;
  let nSlots = 0;
  for (let f = 0; f < nF; f++) {
    const s = sets[f];
    if (!s) continue;
    const sorted = Float64Array.from(s).sort();
    const m = sorted.length;
    if (m > 1 << 20) return null; // keeps the padded search table (2^K − 1 doubles) bounded
    let K = 1;
    while ((1 << K) - 1 < m) K++;
    const tab = new Float64Array((1 << K) - 1).fill(Infinity);
    tab.set(sorted);
    const idx = new Map<number, number>();
    sorted.forEach((v, k) => idx.set(v, k));
    kIndex[f] = idx;
    uOf[f] = FI.length / 5;
    FI.push(f, K, tLen, nSlots, m);
    tables.push(tab);
    tLen += tab.length;
    nSlots += m + 1;
  }
  const T = new Float64Array(tLen);
  for (let u = 0, o = 0; u < tables.length; o += tables[u]!.length, u++) T.set(tables[u]!, o);

  const ND = new Int32Array(2 * n);
  const leafValue = new Float32Array(n);
  const KN = new Int32Array(3 * n);
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
      KN[3 * i] = -1;
      KN[3 * i + 1] = i;
    } else {
      const u = uOf[f]!;
      const k = kIndex[f]!.get(threshold[i]!)!;
      ND[2 * i] = (FI[5 * u + 3]! + k + 1) * GW;
      ND[2 * i + 1] = 2 * child[i]!;
      KN[3 * i] = u;
      KN[3 * i + 1] = FI[5 * u + 3]! + k;
      KN[3 * i + 2] = 3 * child[i]!;
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
  const groups = Math.max(1, Math.min(MAX_BLOCK_GROUPS, Math.floor(MASK_WORDS_BUDGET / (nSlots * GW))));
  const groupCounts = nC * counterPlanes(roots.length) * GW + GW + nC;
  const maskBase = 2 * n;
  const stackBase = maskBase + groups * nSlots * GW;
  const countBase = stackBase + (1 + GW) * (maxDepth + 2);
  const work = new Int32Array(countBase + groups * groupCounts);
  work.set(ND);
  return {
    nU: FI.length / 5,
    FI: Int32Array.from(FI),
    T,
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
    KN,
    roots2: Int32Array.from(roots, (r) => 2 * r),
    maxDepth,
    skipClass: pureLeaves.indexOf(Math.max(...pureLeaves)),
    groups,
  };
}

/**
 * Predicts `nRows` rows of row-major `X` (nRows × forest.nFeatures). Writes the mean of the trees'
 * leaf distributions to outProba (nRows × nClasses) and its argmax (lowest index on ties, like
 * numpy) to outClass. Allocation-free after the first call on a forest (the module's scratch
 * buffers grow to one block, ≤ 2,048 rows, once): callers reuse the output buffers across batches.
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
    if (p.bits === undefined) p.bits = bitPlan(forest);
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

let codesScratch = new Int32Array(0);
let keyScratch = new Float64Array(0);
let permScratch = new Int32Array(0);
let sumScratch = new Float32Array(0);
const walkState = new Int32Array(6);

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
  const { nU, FI, T, KN, work: A, leafValue, LS, LC, LV, roots2, nSlots, maskBase, stackBase, countBase, groupCounts } = bp;
  const nTrees = roots2.length;
  const skip = bp.skipClass;
  const block = bp.groups * GR;
  const groupWords = nSlots * GW;
  // counting is exact while every count fits a float32 integer (nTrees < 2^24); else all rows start in float mode
  const counting = nTrees < 1 << 24;
  const NP = counterPlanes(nTrees);
  const fmOff = nC * NP * GW;
  if (codesScratch.length < block * nU) codesScratch = new Int32Array(block * nU);
  if (keyScratch.length < block) {
    keyScratch = new Float64Array(block);
    permScratch = new Int32Array(block);
  }
  if (sumScratch.length < block * nC) sumScratch = new Float32Array(block * nC);
  const CD = codesScratch;
  const KY = keyScratch;
  const PM = permScratch;
  const PB = sumScratch;
  const ST = walkState;
  const inv = nTrees > 0 ? 1 / nTrees : 0;
  for (let r0 = 0; r0 < nRows; r0 += block) {
    const n = Math.min(block, nRows - r0);
    const nGroups = Math.ceil(n / GR);
    codeRows(FI, nU, T, X, nF, r0, n, +forest.nonFiniteValue, CD);
    sortKeys(KN, 3 * forest.roots[0]!, CD, nU, n, KY);
    // the whole scratch is sorted (no per-block subarray); unused entries sort last
    KY.fill(Infinity, n);
    KY.sort();
    for (let i = 0; i < n; i++) PM[i] = (KY[i]! % KEY_ROWS) | 0;
    for (let g = 0; g < nGroups; g++) buildMasks(FI, nU, groupWords, CD, PM, g * GR, Math.min(GR, n - g * GR), A, maskBase + g * groupWords);
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
      const r = r0 + PM[i]!;
      outClass[r] = finishRow(PB, i * nC, outProba, r * nC, nC, inv);
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

/** Sort key = leafNode · KEY_ROWS + row: KEY_ROWS ≥ rows per block (MAX_BLOCK_GROUPS · 128); exact in a double for any realistic node count. */
const KEY_ROWS = 4096;

/** Bits of a group word holding rows [32w, 32w+32) when the group has `rows` rows (rows − 32w given). */
function wordMask(left: number): number {
  return left >= 32 ? -1 : left <= 0 ? 0 : (1 << left) - 1;
}

/**
 * Codes of rows r0..r0+n by branch-free binary search, stored as mask slot numbers (slot base of the
 * feature + code) at CD[r·nU + u] for block-relative row r: buildMasks then scatters without a lookup.
 */
function codeRows(FI: Int32Array, nU: number, T: Float64Array, X: Float64Array | Float32Array, nF: number, r0: number, n: number, nf: number, CD: Int32Array): void {
  for (let t0 = 0; t0 < n; t0 += TILE) {
    const t1 = Math.min(n, t0 + TILE);
    for (let u = 0; u < nU; u = (u + 1) | 0) {
      const j = FI[5 * u]!;
      const K = FI[5 * u + 1]!;
      const o = FI[5 * u + 2]!;
      const m = FI[5 * u + 4]!;
      const sb = FI[5 * u + 3]!;
      let xo = ((r0 + t0) * nF + j) | 0;
      let co = (t0 * nU + u) | 0;
      if (K === 1) {
        // one threshold: code = (x > t), NaN → 1
        const t = T[o]!;
        const cnf = +!(nf <= t);
        let r = t0;
        for (; r + 4 <= t1; r = (r + 4) | 0) {
          const x0 = X[xo]!;
          const x1 = X[(xo + nF) | 0]!;
          const x2 = X[(xo + 2 * nF) | 0]!;
          const x3 = X[(xo + 3 * nF) | 0]!;
          CD[co] = sb + (x0 - x0 === 0 ? +!(x0 <= t) : cnf);
          CD[(co + nU) | 0] = sb + (x1 - x1 === 0 ? +!(x1 <= t) : cnf);
          CD[(co + 2 * nU) | 0] = sb + (x2 - x2 === 0 ? +!(x2 <= t) : cnf);
          CD[(co + 3 * nU) | 0] = sb + (x3 - x3 === 0 ? +!(x3 <= t) : cnf);
          xo = (xo + 4 * nF) | 0;
          co = (co + 4 * nU) | 0;
        }
        for (; r < t1; r = (r + 1) | 0) {
          const x = X[xo]!;
          CD[co] = sb + (x - x === 0 ? +!(x <= t) : cnf);
          xo = (xo + nF) | 0;
          co = (co + nU) | 0;
        }
        continue;
      }
      // i = #{thresholds < x}: the table is padded with +Infinity, which no x exceeds; NaN
      // exceeds all (!(NaN <= t)) and is clamped to m. Eight rows at a time: each search is a
      // chain of dependent loads, independent chains keep the core busy (4 rows: 1.9× over one
      // row on CICIDS2017, 8 rows another 14 %).
      const h0 = 1 << (K - 1);
      const ob = (o - 1) | 0;
      let r = t0;
      for (; r + 8 <= t1; r = (r + 8) | 0) {
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
      for (; r < t1; r = (r + 1) | 0) {
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
  }
}

/** Sort keys: the leaf each row reaches in tree 0, walked on codes (go right iff code > k, as slot numbers). */
function sortKeys(KN: Int32Array, root3: number, CD: Int32Array, nU: number, n: number, KY: Float64Array): void {
  for (let r = 0; r < n; r = (r + 1) | 0) {
    const co = (r * nU) | 0;
    let node = root3;
    let u = KN[node]!;
    while (u >= 0) {
      node = (KN[(node + 2) | 0]! + (((KN[(node + 1) | 0]! - CD[(co + u) | 0]!) >> 31) & 3)) | 0;
      u = KN[node]!;
    }
    KY[r] = KN[(node + 1) | 0]! * KEY_ROWS + r;
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
    const b0 = (gb + FI[(5 * u + 3) | 0]! * GW) | 0;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let c = (b0 + FI[(5 * u + 4) | 0]! * GW) | 0, e = (b0 + GW) | 0; c >= e; c = (c - GW) | 0) {
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
