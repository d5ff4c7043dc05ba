import { statSync } from 'node:fs';
import { FlowsentryError, describeError } from '../../errors.js';
import { extractFeatures, FEATURE_SET_IDS, type FeatureSetId } from '../../pipeline/extract.js';
import type { PipelineSummary } from '../../pipeline/pipeline.js';
import { MAX_FLOW_CAPACITY } from '../../flow/table.js';
import { numberOption, parseCommandArgs, type Command } from '../command.js';

const help = `Usage: flowsentry features -r CAPTURE [options]

Extracts bidirectional flows and their CICIDS2017 features from a pcap/pcapng file.

Options:
  -r, --read FILE          capture file (pcap or pcapng)                     (required)
  -o, --output FILE        output path; .jsonl/.json → JSON Lines, else CSV  (default: stdout)
      --feature-set ID     cic2017 (bugs corrected) | cic2017-compat (as the published CSVs)
                                                                             (default: cic2017)
      --header ml|tl       CSV header: tl = 85-column TrafficLabelling, ml = 79-column
                           MachineLearningCVE                                (default: tl)
      --padding wire|captured|none
                           compat only: count Ethernet padding as a mirror port sees it (wire,
                           default), as present in the file (captured, = CICFlowMeter-V3 on the file) or
                           not at all (none, = CICFlowMeter-V4 builds)
      --capacity N         max open flows before eviction                    (default: 262144)
      --idle-timeout S     seconds (cic2017 only)                            (default: 120)
      --active-timeout S   seconds                                           (default: 120)
  -q, --quiet              no progress or summary on stderr
`;

export const command: Command = {
  name: 'features',
  summary: 'extract flows and CICIDS2017 features from a capture file (CSV / JSONL)',
  help,
  async run(argv) {
    const { values } = parseCommandArgs('features', argv, {
      read: { type: 'string', short: 'r' },
      output: { type: 'string', short: 'o' },
      'feature-set': { type: 'string' },
      header: { type: 'string' },
      padding: { type: 'string' },
      capacity: { type: 'string' },
      'idle-timeout': { type: 'string' },
      'active-timeout': { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
    });
    if (!values.read) throw new FlowsentryError('FS_ERR_USAGE', 'features: -r CAPTURE is required (see flowsentry features --help)');
    const featureSet = (values['feature-set'] ?? 'cic2017') as FeatureSetId;
    if (!FEATURE_SET_IDS.includes(featureSet)) {
      throw new FlowsentryError('FS_ERR_USAGE', `--feature-set must be one of ${FEATURE_SET_IDS.join(', ')}, got '${featureSet}'`);
    }
    const header = values.header ?? 'tl';
    if (header !== 'tl' && header !== 'ml') throw new FlowsentryError('FS_ERR_USAGE', `--header must be ml or tl, got '${header}'`);
    const padding = values.padding ?? 'wire';
    if (padding !== 'wire' && padding !== 'captured' && padding !== 'none') throw new FlowsentryError('FS_ERR_USAGE', `--padding must be wire, captured or none, got '${padding}'`);
    const meter: Record<string, number> = {};
    if (values.capacity !== undefined) meter.capacity = numberOption('capacity', values.capacity, 0, 1, MAX_FLOW_CAPACITY);
    if (values['idle-timeout'] !== undefined) meter.idleTimeoutUs = numberOption('idle-timeout', values['idle-timeout'], 0, 0) * 1e6;
    if (values['active-timeout'] !== undefined) meter.activeTimeoutUs = numberOption('active-timeout', values['active-timeout'], 0, 0) * 1e6;
    const quiet = values.quiet === true;
    const started = Date.now();
    let lastReport = started;
    const bigFile = (() => {
      try {
        return statSync(values.read).size > 64 << 20;
      } catch {
        return false;
      }
    })();
    let summary: PipelineSummary;
    try {
      summary = await extractFeatures({
        capture: values.read,
        output: values.output ?? '-',
        featureSet,
        header,
        padding,
        meter,
        onProgress: quiet || !bigFile ? undefined : (p, read, total) => {
          const now = Date.now();
          if (now - lastReport < 1000) return;
          lastReport = now;
          const pct = total > 0 ? ((100 * read) / total).toFixed(1) : '?';
          process.stderr.write(`features: ${pct}%  ${p.packetsRead} packets  ${p.meter.counters.flowsEmitted} flows\n`);
        },
      });
    } catch (err) {
      const partial = (err as { summary?: PipelineSummary }).summary;
      if (partial && !quiet) process.stderr.write(formatSummary(partial, Date.now() - started) + '\n');
      process.stderr.write(`flowsentry: ${describeError(err)}\n`);
      return 1;
    }
    if (!quiet) process.stderr.write(formatSummary(summary, Date.now() - started) + '\n');
    return 0;
  },
};

export function formatSummary(s: PipelineSummary, ms: number): string {
  const reasons = Object.entries(s.reasons).map(([k, v]) => `${k}=${v}`).join(' ');
  return (
    `features: ${s.packetsRead} packets (${s.packetsFlowed} in flows, ${s.packetsIgnored} ignored, ${s.packetsWeird} weird${reasons ? ': ' + reasons : ''}), ` +
    `${s.meter.flowsEmitted} flows written` +
    (s.meter.flowsBelowMinPackets ? `, ${s.meter.flowsBelowMinPackets} single-packet flows dropped` : '') +
    (s.meter.flowsEvicted ? `, ${s.meter.flowsEvicted} evicted` : '') +
    ` in ${(ms / 1000).toFixed(2)} s`
  );
}
