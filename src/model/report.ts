/** Human-readable rendering of an EvaluationReport (classification report + confusion table). */
import type { EvaluationReport } from './metrics.js';

const f3 = (x: number) => x.toFixed(3);

export function formatReport(r: EvaluationReport, title = 'evaluation'): string {
  const labels = r.confusion.labels;
  const w = Math.max(12, ...labels.map((l) => l.length)) + 2;
  const lines: string[] = [];
  lines.push(`${title}: ${r.rows} rows`);
  lines.push(`accuracy ${f3(r.accuracy)}   macro F1 ${f3(r.macro_f1)}   weighted F1 ${f3(r.weighted_f1)}${r.auc !== null ? `   ROC AUC ${f3(r.auc)}` : ''}`);
  lines.push('');
  lines.push(`${'class'.padEnd(w)}${'precision'.padStart(10)}${'recall'.padStart(10)}${'f1'.padStart(10)}${'support'.padStart(10)}`);
  for (const p of r.per_class) {
    lines.push(`${p.label.padEnd(w)}${f3(p.precision).padStart(10)}${f3(p.recall).padStart(10)}${f3(p.f1).padStart(10)}${String(p.support).padStart(10)}`);
  }
  lines.push(`${'macro avg'.padEnd(w)}${f3(r.macro_precision).padStart(10)}${f3(r.macro_recall).padStart(10)}${f3(r.macro_f1).padStart(10)}${String(r.rows).padStart(10)}`);
  lines.push(`${'weighted avg'.padEnd(w)}${f3(r.weighted_precision).padStart(10)}${f3(r.weighted_recall).padStart(10)}${f3(r.weighted_f1).padStart(10)}${String(r.rows).padStart(10)}`);
  lines.push('');
  lines.push('confusion matrix (rows = true class, columns = predicted; column numbers refer to the row list)');
  const cw = Math.max(6, ...r.confusion.matrix.flat().map((v) => String(v).length + 1));
  lines.push(`${''.padEnd(w + 4)}${labels.map((_, j) => `[${j}]`.padStart(cw)).join('')}`);
  r.confusion.matrix.forEach((row, i) => {
    lines.push(`${`[${i}]`.padEnd(4)}${labels[i]!.padEnd(w)}${row.map((v) => String(v).padStart(cw)).join('')}`);
  });
  return lines.join('\n');
}
