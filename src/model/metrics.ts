/**
 * Classification metrics as scikit-learn defines them (classification_report, confusion_matrix,
 * roc_auc_score): precision/recall/F1 are 0 when undefined, macro = unweighted mean over classes,
 * weighted = support-weighted mean; AUC is the Mann–Whitney statistic with ties counted half.
 */
export interface ClassMetrics {
  readonly label: string;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

export interface EvaluationReport {
  readonly rows: number;
  readonly accuracy: number;
  readonly macro_f1: number;
  readonly weighted_f1: number;
  readonly macro_precision: number;
  readonly macro_recall: number;
  readonly weighted_precision: number;
  readonly weighted_recall: number;
  /** ROC AUC of P(positive class) for binary tasks, else null. */
  readonly auc: number | null;
  readonly per_class: readonly ClassMetrics[];
  /** confusion.matrix[true][predicted], rows/columns in `labels` order. */
  readonly confusion: { readonly labels: readonly string[]; readonly matrix: readonly (readonly number[])[] };
}

/**
 * @param positive index of the positive class for AUC (binary only), whose probabilities are read
 *   from `proba` (nRows × nClasses).
 */
export function evaluatePredictions(
  labels: readonly string[],
  yTrue: Int32Array,
  yPred: Int32Array,
  proba: Float32Array | null,
  positive: number | null,
): EvaluationReport {
  const k = labels.length;
  const n = yTrue.length;
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < n; i++) m[yTrue[i]!]![yPred[i]!]!++;
  let correct = 0;
  for (let c = 0; c < k; c++) correct += m[c]![c]!;
  const per: ClassMetrics[] = labels.map((label, c) => {
    const tp = m[c]![c]!;
    let predicted = 0;
    let support = 0;
    for (let j = 0; j < k; j++) {
      predicted += m[j]![c]!;
      support += m[c]![j]!;
    }
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
  // like scikit-learn's report on the labels present: classes with neither support nor predictions are left out of averages
  const present = per.filter((p, c) => p.support > 0 || m.some((row) => row[c]! > 0));
  const mean = (f: (p: ClassMetrics) => number) => (present.length ? present.reduce((s, p) => s + f(p), 0) / present.length : 0);
  const wmean = (f: (p: ClassMetrics) => number) => (n ? present.reduce((s, p) => s + f(p) * p.support, 0) / n : 0);
  let auc: number | null = null;
  if (k === 2 && proba && positive !== null) {
    const scores = new Float64Array(n);
    for (let i = 0; i < n; i++) scores[i] = proba[i * k + positive]!;
    auc = rocAuc(scores, yTrue, positive);
  }
  return {
    rows: n,
    accuracy: n ? correct / n : 0,
    macro_f1: mean((p) => p.f1),
    weighted_f1: wmean((p) => p.f1),
    macro_precision: mean((p) => p.precision),
    macro_recall: mean((p) => p.recall),
    weighted_precision: wmean((p) => p.precision),
    weighted_recall: wmean((p) => p.recall),
    auc,
    per_class: per,
    confusion: { labels: [...labels], matrix: m },
  };
}

/** Area under the ROC curve for `scores` of class `positive`; null if only one class is present. */
export function rocAuc(scores: Float64Array, yTrue: Int32Array, positive: number): number | null {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let nPos = 0;
  for (let i = 0; i < n; i++) if (yTrue[i] === positive) nPos++;
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return null;
  // sum of average ranks of the positives (ties get the mean rank)
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const avg = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) if (yTrue[order[t]!] === positive) rankSum += avg;
    i = j + 1;
  }
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
