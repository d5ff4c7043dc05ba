/**
 * KDD "time-based traffic features" (23–31): over the connections that ended in the 2 seconds before
 * the current connection's end, the current one included.
 *
 * Anchor (design decision, docs/features-nslkdd.md): a connection's time is its last packet
 * (Zeek ts + duration); the window is computed when the meter ends the connection, over connections
 * already ended. The ring is in emission order, which is not end-time order (an unanswered SYN is
 * emitted an idle timeout after its packet, a FIN-closed connection a close delay after its last
 * packet), so every entry's end time is tested, and the backwards scan stops only when the emission
 * clock is older than `horizonUs` (window + the longest emission lag) or the ring is exhausted.
 */
import { ConnRing, ERR_R, ERR_S, rate2 } from './ring.js';

/** Output offsets inside the 9 time-window values. */
export const TW_COUNT = 0;
export const TW_SRV_COUNT = 1;
export const TW_SERROR = 2;
export const TW_SRV_SERROR = 3;
export const TW_RERROR = 4;
export const TW_SRV_RERROR = 5;
export const TW_SAME_SRV = 6;
export const TW_DIFF_SRV = 7;
export const TW_SRV_DIFF_HOST = 8;
export const TW_WIDTH = 9;

export interface TimeWindowParams {
  /** Window length (µs); KDD: 2 s. */
  windowUs: number;
  /** Stop scanning at entries emitted more than this before the current emission (µs). */
  horizonUs: number;
  /** Output cap of count / srv_count (511 in the data). */
  countCap: number;
}

/**
 * Writes the 9 time-window features of a connection (end time `t`, emitted at `emit`) into
 * out[o .. o+8]. `err` = ERR_* bits of the current connection. Reads the ring only.
 */
export function timeWindowFeatures(
  ring: ConnRing, p: TimeWindowParams,
  t: number, emit: number, hostV: number, host: number, service: number, err: number,
  out: Float64Array, o: number,
): void {
  // the current connection is same-host and same-service with itself
  let count = 1;
  let srv = 1;
  let hostSerr = err & ERR_S ? 1 : 0;
  let hostRerr = err & ERR_R ? 1 : 0;
  let srvSerr = hostSerr;
  let srvRerr = hostRerr;
  let hostSameSrv = 1;
  let srvDiffHost = 0;
  const from = t - p.windowUs;
  const stopEmit = emit - p.horizonUs;
  const n = ring.size;
  const rt = ring.t, re = ring.emit, rh = ring.host, rv = ring.hostV, rs = ring.service, rerr = ring.err;
  for (let k = 0; k < n; k++) {
    const i = ring.at(k);
    if (re[i] < stopEmit) break;
    const te = rt[i];
    if (te > t || te < from) continue;
    const sameHost = rh[i] === host && rv[i] === hostV;
    const sameSrv = rs[i] === service;
    const e = rerr[i];
    if (sameHost) {
      count++;
      if (e & ERR_S) hostSerr++;
      if (e & ERR_R) hostRerr++;
      if (sameSrv) hostSameSrv++;
    }
    if (sameSrv) {
      srv++;
      if (e & ERR_S) srvSerr++;
      if (e & ERR_R) srvRerr++;
      if (!sameHost) srvDiffHost++;
    }
  }
  out[o + TW_COUNT] = Math.min(count, p.countCap);
  out[o + TW_SRV_COUNT] = Math.min(srv, p.countCap);
  // rates over the true (uncapped) counts
  out[o + TW_SERROR] = rate2(hostSerr, count);
  out[o + TW_SRV_SERROR] = rate2(srvSerr, srv);
  out[o + TW_RERROR] = rate2(hostRerr, count);
  out[o + TW_SRV_RERROR] = rate2(srvRerr, srv);
  const same = rate2(hostSameSrv, count);
  out[o + TW_SAME_SRV] = same;
  out[o + TW_DIFF_SRV] = Math.round((1 - same) * 100) / 100;
  out[o + TW_SRV_DIFF_HOST] = rate2(srvDiffHost, srv);
}
