import { openCaptureFile } from '../../capture/file-source.js';
import { FlowsentryError } from '../../errors.js';
import { COMMON_HELP, COMMON_OPTIONS, resolveConfig, resolveModel, runSensor } from '../../sensor/cli.js';
import { parseCommandArgs, type Command } from '../command.js';

const help = `Usage: flowsentry analyze -r CAPTURE [options]

Runs the sensor (the same pipeline as monitor) on a pcap/pcapng file: flows, per-flow Random Forest
verdicts, host-level detectors (SYN/UDP/ICMP floods, scans, DDoS fan-in) and alerts.

Input:
  -r, --read FILE          capture file (pcap or pcapng)                     (required)
      --realtime           replay at capture speed (wall-clock timers, as monitor) instead of
                           as fast as possible
${COMMON_HELP}`;

export const command: Command = {
  name: 'analyze',
  summary: 'run the detector on a capture file (offline, or --realtime at capture speed)',
  help,
  async run(argv) {
    const { values } = parseCommandArgs('analyze', argv, { ...COMMON_OPTIONS, read: { type: 'string', short: 'r' }, realtime: { type: 'boolean' } });
    if (!values.read) throw new FlowsentryError('FS_ERR_USAGE', 'analyze: -r CAPTURE is required (see flowsentry analyze --help)');
    const cfg = resolveConfig(values);
    const { model } = resolveModel(cfg);
    // replay paces per batch: small batches keep the pacing close to per-packet
    const source = openCaptureFile(values.read, values.realtime ? { batchPackets: 64 } : {});
    return runSensor('analyze', cfg, source, values.realtime ? 'replay' : 'offline', model);
  },
};
