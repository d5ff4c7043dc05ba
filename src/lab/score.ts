/**
 * `lab score`: compares the sensor's EVE alerts and flow records with a run's truth.json.
 *
 * An alert matches an episode when its timestamp lies in [start_us, end_us + grace] and either its
 * src_ip is one of the episode's attacker addresses, or it comes from a host-level detector keyed by
 * destination (spoofed floods, fan-in) and its dest_ip is one of the victim addresses.
 * A flow record is attack traffic when it overlaps an episode window and involves an attacker address
 * (either side), or — for spoofed-source episodes — goes to the victim from an address that is no lab host.
 * Every other flow is benign; a benign flow is "flagged" when its verdict is not BENIGN or an alert
 * carries its flow_id.
 */
import { readEve, type EveAlert, type EveFile } from './eve.js';
import { readTruth, type Episode, type Truth } from './truth.js';

/** Detectors that key on the destination host, so the alert's src_ip may be a spoofed or arbitrary source. */
export const DEST_KEYED_DETECTORS: ReadonlySet<string> = new Set(['fanin', 'syn_rate', 'udp_rate', 'icmp_rate']);

export interface ScoreOptions {
  /** Alerts up to this long after an episode's end still count for it (detection delay, flow timeouts). */
  graceMs: number;
}

export interface EpisodeScore {
  index: number;
  label: string;
  tool: string;
  start_us: number;
  end_us: number;
  detected: boolean;
  alerts: number;
  /** Matching alerts whose attack_type equals the episode label. */
  alerts_type_match: number;
  first_alert_us: number | null;
  /** First matching alert minus episode start (may be 0 or slightly negative only through clock skew). */
  latency_ms: number | null;
  detectors: string[];
}

export interface ScoreReport {
  scenario: string;
  grace_ms: number;
  episodes: EpisodeScore[];
  summary: {
    episodes: number;
    detected: number;
    detection_rate: number | null;
    median_latency_ms: number | null;
    max_latency_ms: number | null;
  };
  alerts: { total: number; in_episodes: number; outside_episodes: number };
  flows: { total: number; attack: number; benign: number; benign_flagged: number; benign_flagged_rate: number | null };
  eve_lines_skipped: number;
}

/** Canonical text of an address, so "fd0f:5e47:01ab:0:0:0:0:10" equals "fd0f:5e47:1ab::10". */
export function canonicalIp(ip: string): string {
  if (!ip.includes(':')) return ip.trim();
  try {
    return new URL(`http://[${ip.trim()}]/`).hostname.slice(1, -1);
  } catch {
    return ip.trim().toLowerCase();
  }
}

interface PreparedEpisode {
  ep: Episode;
  attacker: Set<string>;
  victim: Set<string>;
}

function prepare(truth: Truth): { eps: PreparedEpisode[]; labHosts: Set<string> } {
  const labHosts = new Set<string>();
  for (const h of Object.values(truth.hosts)) {
    if (h.ipv4) labHosts.add(canonicalIp(h.ipv4));
    if (h.ipv6) labHosts.add(canonicalIp(h.ipv6));
  }
  const eps = truth.episodes.map((ep) => ({
    ep,
    attacker: new Set(ep.attacker.map(canonicalIp)),
    victim: new Set(ep.victim.map(canonicalIp)),
  }));
  return { eps, labHosts };
}

export function alertMatches(a: EveAlert, p: PreparedEpisode, graceUs: number): boolean {
  if (a.tsUs < p.ep.start_us || a.tsUs > p.ep.end_us + graceUs) return false;
  if (p.attacker.has(canonicalIp(a.srcIp))) return true;
  return DEST_KEYED_DETECTORS.has(a.detector) && p.victim.has(canonicalIp(a.destIp));
}

function flowEpisode(src: string, dst: string, startUs: number, endUs: number, eps: PreparedEpisode[], labHosts: Set<string>, graceUs: number): Episode | undefined {
  return eps.find((p) => {
    if (endUs < p.ep.start_us || startUs > p.ep.end_us + graceUs) return false;
    if (p.attacker.has(src) || p.attacker.has(dst)) return true;
    return p.ep.spoofed_sources === true && ((p.victim.has(dst) && !labHosts.has(src)) || (p.victim.has(src) && !labHosts.has(dst)));
  })?.ep;
}

/**
 * The flow → episode rule shared by the scorer and `lab dataset`: a flow belongs to the first episode whose
 * window (plus grace) it overlaps and whose attacker address is one of its endpoints, or — for spoofed-source
 * episodes — that connects the victim with an address of no lab host. Undefined = benign.
 */
export function flowLabeller(truth: Truth, graceUs: number): (srcIp: string, destIp: string, startUs: number, endUs: number) => Episode | undefined {
  const { eps, labHosts } = prepare(truth);
  return (srcIp, destIp, startUs, endUs) => flowEpisode(canonicalIp(srcIp), canonicalIp(destIp), startUs, endUs, eps, labHosts, graceUs);
}

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function score(truth: Truth, eve: EveFile, opts: ScoreOptions): ScoreReport {
  const graceUs = opts.graceMs * 1000;
  const { eps, labHosts } = prepare(truth);
  const matched = new Set<EveAlert>();
  const episodes: EpisodeScore[] = eps.map((p, index) => {
    const hits = eve.alerts.filter((a) => alertMatches(a, p, graceUs));
    for (const h of hits) matched.add(h);
    const first = hits.reduce<number | null>((m, a) => (m === null || a.tsUs < m ? a.tsUs : m), null);
    return {
      index,
      label: p.ep.label,
      tool: p.ep.tool,
      start_us: p.ep.start_us,
      end_us: p.ep.end_us,
      detected: hits.length > 0,
      alerts: hits.length,
      alerts_type_match: hits.filter((a) => a.attackType === p.ep.label).length,
      first_alert_us: first,
      latency_ms: first === null ? null : (first - p.ep.start_us) / 1000,
      detectors: [...new Set(hits.map((a) => a.detector))].sort(),
    };
  });
  const alertedFlowIds = new Set(eve.alerts.map((a) => a.flowId).filter((x): x is number => x !== undefined));
  let attack = 0;
  let benign = 0;
  let flagged = 0;
  for (const f of eve.flows) {
    if (flowEpisode(canonicalIp(f.srcIp), canonicalIp(f.destIp), f.startUs, f.endUs, eps, labHosts, graceUs)) {
      attack++;
      continue;
    }
    benign++;
    const verdictFlag = f.verdict !== undefined && f.verdict.toUpperCase() !== 'BENIGN';
    if (verdictFlag || (f.flowId !== undefined && alertedFlowIds.has(f.flowId))) flagged++;
  }
  const latencies = episodes.map((e) => e.latency_ms).filter((x): x is number => x !== null);
  const detected = episodes.filter((e) => e.detected).length;
  return {
    scenario: truth.scenario,
    grace_ms: opts.graceMs,
    episodes,
    summary: {
      episodes: episodes.length,
      detected,
      detection_rate: episodes.length ? detected / episodes.length : null,
      median_latency_ms: median(latencies),
      max_latency_ms: latencies.length ? Math.max(...latencies) : null,
    },
    alerts: { total: eve.alerts.length, in_episodes: matched.size, outside_episodes: eve.alerts.length - matched.size },
    flows: { total: eve.flows.length, attack, benign, benign_flagged: flagged, benign_flagged_rate: benign ? flagged / benign : null },
    eve_lines_skipped: eve.skipped,
  };
}

export function scoreFiles(alertsFile: string, truthFile: string, opts: ScoreOptions): ScoreReport {
  return score(readTruth(truthFile), readEve(alertsFile), opts);
}

const fmt = (x: number | null, digits = 1): string => (x === null ? '-' : x.toFixed(digits));

export function formatScore(r: ScoreReport): string {
  const lines = [`scenario ${r.scenario}  (grace ${r.grace_ms} ms)`, '', '  #  label        tool          detected  alerts  latency_ms  detectors'];
  for (const e of r.episodes) {
    lines.push(`  ${String(e.index).padStart(2)} ${e.label.padEnd(12)} ${e.tool.padEnd(13)} ${(e.detected ? 'yes' : 'NO').padEnd(9)} ${String(e.alerts).padStart(6)}  ${fmt(e.latency_ms).padStart(10)}  ${e.detectors.join(',')}`);
  }
  const s = r.summary;
  lines.push('', `episodes detected: ${s.detected}/${s.episodes}  median latency ${fmt(s.median_latency_ms)} ms  max ${fmt(s.max_latency_ms)} ms`);
  lines.push(`alerts: ${r.alerts.total} total, ${r.alerts.in_episodes} in episodes, ${r.alerts.outside_episodes} outside any episode`);
  lines.push(`benign flows flagged: ${r.flows.benign_flagged}/${r.flows.benign}${r.flows.benign_flagged_rate === null ? '' : ` (${(100 * r.flows.benign_flagged_rate).toFixed(2)} %)`}  (attack flows: ${r.flows.attack})`);
  if (r.eve_lines_skipped) lines.push(`EVE lines skipped (not JSON / missing fields): ${r.eve_lines_skipped}`);
  return lines.join('\n');
}
