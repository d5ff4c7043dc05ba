/**
 * What `monitor`, `analyze` and `config` share: the option table, turning flags into config overrides
 * (every flag is sugar for a `--set PATH=VALUE`, so it is validated the same way), model resolution,
 * signal handling and the exit summary.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PacketSource } from '../capture/batch.js';
import { applyOverride, applySetArg, readConfigFile } from '../config/load.js';
import { DEFAULT_CONFIG, type SensorConfig } from '../config/schema.js';
import { describeError } from '../errors.js';
import { loadModel } from '../model/model-file.js';
import type { Model } from '../model/model.js';
import { Sensor, type SensorSummary } from './sensor.js';
import { buildSinks, classifierConfig, hostDetectorConfig, meterConfig } from './setup.js';

/** The model used when neither the config nor --model names one (if it is installed). */
export const BUNDLED_MODEL = fileURLToPath(new URL('../../../models/cicids2017-rf.fsm', import.meta.url));

export const COMMON_OPTIONS = {
  config: { type: 'string', short: 'c' },
  set: { type: 'string', multiple: true },
  model: { type: 'string', short: 'm' },
  eve: { type: 'string' },
  'alert-log': { type: 'string' },
  'traffic-log': { type: 'string' },
  'pcap-log': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  json: { type: 'boolean' },
  'no-console': { type: 'boolean' },
  stats: { type: 'boolean' },
  'stats-interval': { type: 'string' },
  'min-confidence': { type: 'string' },
} as const;

export const COMMON_HELP = `Configuration (every key can also be set with --set PATH=VALUE; see flowsentry config --print):
  -c, --config FILE        YAML configuration (flowsentry.example.yaml documents every key)
      --set PATH=VALUE     override one key, e.g. --set detectors.syn_rate.rate_pps=500 (repeatable)
  -m, --model FILE         Random Forest model (.fsm); 'none' = host detectors only
                           (default: the bundled models/cicids2017-rf.fsm when installed)
Outputs:
      --eve PATH           EVE JSON lines (flow / alert / stats events)
      --alert-log PATH     ids_log.txt-style alert log
      --traffic-log PATH   one line per flow
      --pcap-log DIR       rolling pcap log of every packet (outputs.pcap_log.* for rotation)
  -q, --quiet              console: alerts only
      --json               console: EVE JSON lines instead of text
      --no-console         nothing on stdout
      --stats              console: periodic stats lines (stderr)
      --stats-interval S   seconds between stats events (default 5)
      --min-confidence P   forest verdicts below P are BENIGN (default 0.8)
`;

type Values = { [K in keyof typeof COMMON_OPTIONS]?: (typeof COMMON_OPTIONS)[K] extends { multiple: true } ? string[] : (typeof COMMON_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

/** Config file (if any) → --set overrides → dedicated flags, in that order. */
export function resolveConfig(values: Values, extra: [string, unknown][] = []): SensorConfig {
  let cfg = values.config ? readConfigFile(values.config) : structuredClone(DEFAULT_CONFIG);
  for (const s of values.set ?? []) cfg = applySetArg(cfg, s);
  const o: [string, unknown][] = [...extra];
  if (values.model !== undefined) o.push(['model', values.model]);
  if (values.eve !== undefined) o.push(['outputs.eve.enabled', true], ['outputs.eve.path', values.eve]);
  if (values['alert-log'] !== undefined) o.push(['outputs.alert_log.enabled', true], ['outputs.alert_log.path', values['alert-log']]);
  if (values['traffic-log'] !== undefined) o.push(['outputs.traffic_log.enabled', true], ['outputs.traffic_log.path', values['traffic-log']]);
  if (values['pcap-log'] !== undefined) o.push(['outputs.pcap_log.enabled', true], ['outputs.pcap_log.dir', values['pcap-log']]);
  if (values.quiet) o.push(['outputs.console.quiet', true]);
  if (values.json) o.push(['outputs.console.json', true]);
  if (values['no-console']) o.push(['outputs.console.enabled', false]);
  if (values.stats) o.push(['outputs.console.stats', true]);
  if (values['stats-interval'] !== undefined) o.push(['stats_interval_s', Number(values['stats-interval'])]);
  if (values['min-confidence'] !== undefined) o.push(['classifier.min_confidence', Number(values['min-confidence'])]);
  for (const [k, v] of o) cfg = applyOverride(cfg, k, v, `--${k}`);
  return cfg;
}

/** null model = the bundled one when installed; 'none' = no forest. */
export function resolveModel(cfg: SensorConfig): { model: Model | null; path: string | null } {
  if (cfg.model === 'none') return { model: null, path: null };
  const path = cfg.model ?? (existsSync(BUNDLED_MODEL) ? BUNDLED_MODEL : null);
  return path === null ? { model: null, path: null } : { model: loadModel(path), path };
}

export function formatSensorSummary(cmd: string, s: SensorSummary): string {
  const p = s.pipeline;
  const types = Object.entries(s.alertsByType).map(([k, v]) => `${k}=${v}`).join(' ');
  return (
    `${cmd}: ${p.packetsRead} packets (${p.packetsFlowed} in flows, ${p.packetsIgnored} ignored, ${p.packetsWeird} weird), ` +
    `${s.flows} flows, ${s.alerts} alerts${types ? ` (${types})` : ''}${s.alertsSuppressed ? `, ${s.alertsSuppressed} duplicates suppressed` : ''}, ` +
    `drops kernel=${s.kernelDrops} if=${s.ifDrops} app=${s.appDrops}, ${s.wallSeconds.toFixed(2)} s`
  );
}

/**
 * Builds and runs a sensor on `source` with signal handling: SIGINT/SIGTERM stop the capture (open
 * flows are then flushed and classified, files closed, the summary printed); a second SIGINT exits at
 * once; SIGHUP reopens the log files.
 */
export async function runSensor(cmd: string, cfg: SensorConfig, source: PacketSource, mode: 'live' | 'offline' | 'replay', model: Model | null): Promise<number> {
  const { sinks, pcapLog } = buildSinks(cfg);
  const sensor = new Sensor({
    source, mode, model,
    meter: meterConfig(cfg), classifier: classifierConfig(cfg), hosts: hostDetectorConfig(cfg),
    alertCooldownS: cfg.alerts.cooldown_s, statsIntervalS: cfg.stats_interval_s, sinks, pcapLog,
  });
  const onStop = (): void => {
    if (sensor.stopped) {
      process.stderr.write(`${cmd}: second interrupt, exiting without flushing\n`);
      process.exit(130);
    }
    process.stderr.write(`${cmd}: stopping (flushing open flows; interrupt again to exit at once)\n`);
    sensor.stop();
  };
  const onHup = (): void => sensor.reopen();
  process.on('SIGINT', onStop);
  process.on('SIGTERM', onStop);
  process.on('SIGHUP', onHup);
  try {
    const summary = await sensor.run();
    process.stderr.write(formatSensorSummary(cmd, summary) + '\n');
    return 0;
  } catch (err) {
    const partial = (err as { summary?: SensorSummary }).summary;
    if (partial) process.stderr.write(formatSensorSummary(cmd, partial) + '\n');
    process.stderr.write(`flowsentry: ${describeError(err)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onStop);
    process.off('SIGTERM', onStop);
    process.off('SIGHUP', onHup);
  }
}
