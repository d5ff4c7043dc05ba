import { dropPrivileges, openLiveCapture } from '../../capture/live.js';
import { FlowsentryError } from '../../errors.js';
import { COMMON_HELP, COMMON_OPTIONS, resolveConfig, resolveModel, runSensor } from '../../sensor/cli.js';
import { parseCommandArgs, type Command } from '../command.js';

const help = `Usage: flowsentry monitor -i IFACE [options]

Live detection on a network interface (libpcap): flows, per-flow Random Forest verdicts (at flow end
and provisionally for long flows), host-level detectors (SYN/UDP/ICMP floods, scans, DDoS fan-in).
Ctrl+C / SIGTERM stop the capture, classify open flows, close files and print a summary; SIGHUP
reopens the log files (logrotate).

Capture:
  -i, --interface IFACE    interface (flowsentry interfaces lists them)      (or config 'interface')
  -f, --filter BPF         capture filter, tcpdump syntax                    (or config 'filter')
      --user USER          drop root to USER once the capture is open        (or config 'user')
${COMMON_HELP}`;

export const command: Command = {
  name: 'monitor',
  summary: 'live detection on a network interface (flows, forest verdicts, host detectors, alerts)',
  help,
  async run(argv) {
    const { values } = parseCommandArgs('monitor', argv, {
      ...COMMON_OPTIONS, interface: { type: 'string', short: 'i' }, filter: { type: 'string', short: 'f' }, user: { type: 'string' },
    });
    const extra: [string, unknown][] = [];
    if (values.interface !== undefined) extra.push(['interface', values.interface]);
    if (values.filter !== undefined) extra.push(['filter', values.filter]);
    if (values.user !== undefined) extra.push(['user', values.user]);
    const cfg = resolveConfig(values, extra);
    if (cfg.interface === null) throw new FlowsentryError('FS_ERR_USAGE', 'monitor: -i IFACE is required (or set interface: in the config; see flowsentry interfaces)');
    // load the model before opening the capture: a bad model file should not cost a privileged open
    const { model } = resolveModel(cfg);
    const source = openLiveCapture({
      iface: cfg.interface,
      filter: cfg.filter ?? undefined,
      snaplen: cfg.capture.snaplen,
      bufferBytes: cfg.capture.buffer_mb * 1024 * 1024,
      promisc: cfg.capture.promisc,
      immediate: cfg.capture.immediate,
    });
    if (source.warning) process.stderr.write(`monitor: ${source.warning}\n`);
    if (cfg.user !== null) dropPrivileges(cfg.user);
    process.stderr.write(`monitor: capturing on ${cfg.interface}${cfg.filter ? ` (filter: ${cfg.filter})` : ''}${model ? `, model ${model.info.featureSet} (${model.info.classes.length} classes)` : ', no model (host detectors only)'}\n`);
    return runSensor('monitor', cfg, source, 'live', model);
  },
};
