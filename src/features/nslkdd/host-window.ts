/**
 * KDD "host-based traffic features" (32–41): over the last N connections (all destinations, the
 * current one included), the set H of those to the current destination host and the set S of those
 * to the current service (any host).
 *
 * Why "last N connections overall" and not "last N connections to this host": in KDDTrain+ every row
 * satisfies dst_host_count + dst_host_srv_count − |H∩S| ≤ 256 (|H∩S| = dst_host_same_srv_rate ×
 * dst_host_count), i.e. H and S come from one shared 256-connection window; and dst_host_srv_count ≥
 * |H∩S| always, i.e. S is not restricted to the host. N = 100 is the documented size (and AI-IDS's);
 * "kdd-compat" uses 256 with the 255 cap the data shows.
 */
import { ConnRing, ERR_R, ERR_S, rate2 } from './ring.js';

export const HW_COUNT = 0;
export const HW_SRV_COUNT = 1;
export const HW_SAME_SRV = 2;
export const HW_DIFF_SRV = 3;
export const HW_SAME_SRC_PORT = 4;
export const HW_SRV_DIFF_HOST = 5;
export const HW_SERROR = 6;
export const HW_SRV_SERROR = 7;
export const HW_RERROR = 8;
export const HW_SRV_RERROR = 9;
export const HW_WIDTH = 10;

export interface HostWindowParams {
  /** Connections in the window, the current one included (100, or 256 for kdd-compat). */
  size: number;
  /** Output cap of dst_host_count / dst_host_srv_count (255 in the data). */
  countCap: number;
}

/** Writes the 10 host-window features into out[o .. o+9]. Reads the ring only. */
export function hostWindowFeatures(
  ring: ConnRing, p: HostWindowParams,
  hostV: number, host: number, service: number, err: number, srcPort: number,
  out: Float64Array, o: number,
): void {
  let count = 1;
  let srv = 1;
  let hostSameSrv = 1;
  let hostSamePort = 1;
  let srvDiffHost = 0;
  let hostSerr = err & ERR_S ? 1 : 0;
  let hostRerr = err & ERR_R ? 1 : 0;
  let srvSerr = hostSerr;
  let srvRerr = hostRerr;
  const n = Math.min(ring.size, p.size - 1);
  const rh = ring.host, rv = ring.hostV, rs = ring.service, rerr = ring.err, rp = ring.srcPort;
  for (let k = 0; k < n; k++) {
    const i = ring.at(k);
    const sameHost = rh[i] === host && rv[i] === hostV;
    const sameSrv = rs[i] === service;
    const e = rerr[i];
    if (sameHost) {
      count++;
      if (sameSrv) hostSameSrv++;
      if (rp[i] === srcPort) hostSamePort++;
      if (e & ERR_S) hostSerr++;
      if (e & ERR_R) hostRerr++;
    }
    if (sameSrv) {
      srv++;
      if (!sameHost) srvDiffHost++;
      if (e & ERR_S) srvSerr++;
      if (e & ERR_R) srvRerr++;
    }
  }
  out[o + HW_COUNT] = Math.min(count, p.countCap);
  out[o + HW_SRV_COUNT] = Math.min(srv, p.countCap);
  const same = rate2(hostSameSrv, count);
  out[o + HW_SAME_SRV] = same;
  out[o + HW_DIFF_SRV] = Math.round((1 - same) * 100) / 100;
  out[o + HW_SAME_SRC_PORT] = rate2(hostSamePort, count);
  out[o + HW_SRV_DIFF_HOST] = rate2(srvDiffHost, srv);
  out[o + HW_SERROR] = rate2(hostSerr, count);
  out[o + HW_SRV_SERROR] = rate2(srvSerr, srv);
  out[o + HW_RERROR] = rate2(hostRerr, count);
  out[o + HW_SRV_RERROR] = rate2(srvRerr, srv);
}
