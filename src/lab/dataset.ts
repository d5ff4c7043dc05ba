/**
 * `lab dataset`: CIC flow features of a lab capture, extracted by our own pipeline (the same code the
 * sensor runs), each row labelled from truth.json: the episode's label for attack flows, BENIGN otherwise.
 * Output is the CICIDS2017 TrafficLabelling CSV layout (identifiers, 77 features, Label last).
 */
import { openCaptureFile } from '../capture/file-source.js';
import { trafficLabellingHeader } from '../features/cic2017/columns.js';
import { cicIdentifiers } from '../features/cic2017/output.js';
import { makeCicFeatureSet, type FeatureSetId } from '../pipeline/extract.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { LineWriter } from '../util/line-writer.js';
import { flowLabeller } from './score.js';
import { readTruth } from './truth.js';

export interface DatasetOptions {
  truth: string;
  capture: string;
  output: string;
  featureSet?: FeatureSetId;
  /** Flows ending up to this long after an episode still belong to it (teardown packets of stopped tools). */
  graceMs?: number;
}

export interface DatasetSummary {
  flows: number;
  /** Rows per label. */
  labels: Record<string, number>;
  packets: number;
}

export async function labDataset(opts: DatasetOptions): Promise<DatasetSummary> {
  const truth = readTruth(opts.truth);
  const label = flowLabeller(truth, (opts.graceMs ?? 1000) * 1000);
  const fs = makeCicFeatureSet(opts.featureSet ?? 'cic2017');
  const compat = fs.mode === 'compat';
  const out = new LineWriter(opts.output);
  const source = openCaptureFile(opts.capture);
  const summary: DatasetSummary = { flows: 0, labels: {}, packets: 0 };
  out.write(trafficLabellingHeader().join(',') + '\n');
  const pipeline = new Pipeline({
    featureSet: fs,
    onFlow: (f) => {
      const ids = cicIdentifiers(f.meter, f.slot, compat);
      const ep = label(ids.srcIp, ids.destIp, f.meter.firstTs(f.slot), f.meter.lastTs(f.slot));
      const name = ep ? ep.label : 'BENIGN';
      summary.flows++;
      summary.labels[name] = (summary.labels[name] ?? 0) + 1;
      out.ascii(`${ids.flowId},${ids.srcIp},${ids.srcPort},${ids.destIp},${ids.destPort},${ids.proto},${ids.timestamp}`);
      for (const v of f.row) {
        out.byte(44);
        out.number(v);
      }
      out.byte(44);
      out.ascii(name);
      out.byte(10);
    },
  });
  try {
    const s = await pipeline.run(source);
    summary.packets = s.packetsRead;
  } finally {
    out.close();
    source.close();
  }
  return summary;
}
