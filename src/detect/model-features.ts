/**
 * The model ↔ extractor contract on the sensor side: a model file names its feature-set id, and the
 * sensor picks the matching extractor (so NSL-KDD models plug in by adding one case here).
 * Also the forest-specific bits the sensor needs: attack-type normalisation and alert explanations.
 */
import { FlowsentryError } from '../errors.js';
import { Cic2017Features } from '../features/cic2017/features.js';
import type { FeatureSet } from '../features/feature-set.js';
import { NslKddFeatures } from '../features/nslkdd/index.js';
import type { Model } from '../model/model.js';
import type { Severity, TopFeature } from './alert.js';

/** Feature-set ids the sensor can extract live. */
export const SENSOR_FEATURE_SETS = ['cic2017', 'cic2017-compat', 'nslkdd28'] as const;

export function featureSetFor(id: string): FeatureSet {
  switch (id) {
    case 'cic2017':
      return new Cic2017Features({ mode: 'corrected' });
    case 'cic2017-compat':
      return new Cic2017Features({ mode: 'compat' });
    case 'nslkdd28':
      return new NslKddFeatures();
    default:
      throw new FlowsentryError(
        'FS_ERR_MODEL_FEATURES',
        `the sensor has no live extractor for feature set '${id}' (available: ${SENSOR_FEATURE_SETS.join(', ')})`,
      );
  }
}

/** Benign class names across the bundled datasets (CICIDS2017 BENIGN, NSL-KDD normal). */
export function isBenignClass(name: string): boolean {
  return /^(benign|normal)$/i.test(name.trim());
}

/**
 * Maps a model class to the sensor's attack-type vocabulary (the lab's episode labels), so alerts of
 * the forest and of the host detectors speak one language. Unknown classes are slugged.
 */
export function attackTypeOf(cls: string): string {
  const c = cls.toLowerCase();
  if (c.includes('ddos')) return 'ddos';
  if (c.includes('slowloris')) return 'slowloris';
  if (c.includes('slowhttp')) return 'slowbody';
  if (c.includes('hulk') || c.includes('goldeneye')) return 'httpdos';
  if (c.includes('patator') || c.includes('brute')) return 'bruteforce';
  if (c.includes('portscan') || c === 'probe') return 'portscan';
  if (c.includes('sql')) return 'sqli';
  if (c.includes('xss')) return 'xss';
  return c.replace(/[^a-z0-9]+/g, '');
}

export function severityOf(attackType: string): Severity {
  if (attackType === 'portscan' || attackType === 'hostsweep' || attackType === 'probe') return 2;
  return 1;
}

/**
 * Top contributing features of one row for the forest's decision, by decision-path frequency: walk
 * the row through every tree and credit each split node's feature; a node at depth k counts 1/(k+1)
 * (splits near the root decide more of the partition). Weights are normalised to sum to 1 over all
 * features, and the `k` largest are returned with the row's values. O(trees × depth), run only for
 * alerts.
 */
export function decisionPathFeatures(model: Model, x: Float64Array | Float32Array, offset: number, k = 5): TopFeature[] {
  const f = model.forest;
  const score = new Float64Array(f.nFeatures);
  const nf = f.nonFiniteValue;
  let total = 0;
  for (let t = 0; t < f.roots.length; t++) {
    let node = f.roots[t]!;
    let depth = 0;
    while (f.feature[node]! >= 0) {
      const j = f.feature[node]!;
      const w = 1 / (depth + 1);
      score[j] += w;
      total += w;
      let v = x[offset + j]!;
      if (!Number.isFinite(v)) v = nf;
      node = f.child[node]! + (v <= f.threshold[node]! ? 0 : 1);
      depth++;
    }
  }
  const order = Array.from(score.keys()).filter((j) => score[j]! > 0).sort((a, b) => score[b]! - score[a]!).slice(0, k);
  const names = model.info.encodedColumns;
  return order.map((j) => ({ name: names[j] ?? `f${j}`, value: x[offset + j]!, weight: Math.round((1000 * score[j]!) / total) / 1000 }));
}
