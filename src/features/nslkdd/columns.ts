/**
 * The 28 header-computable NSL-KDD features (1–9 and 23–41, feature-semantics.md Part 2) in NSL-KDD
 * column order, with exactly the names src/model/datasets/nslkdd.ts trains on (NSLKDD28_COLUMNS).
 * Categorical columns (protocol_type, service, flag) hold numeric codes in the Float64Array row; the
 * strings are recovered with model-input.ts (codes index NSLKDD_PROTOCOLS / NSLKDD_SERVICES / NSLKDD_FLAGS).
 */
import type { FeatureColumn } from '../feature-set.js';

/** protocol_type vocabulary; code 3 ('other': not TCP/UDP/ICMP) is outside it (encodes as all-zero). */
export const NSLKDD_PROTOCOLS = ['tcp', 'udp', 'icmp'] as const;
export const PROTO_TCP = 0;
export const PROTO_UDP = 1;
export const PROTO_ICMP = 2;
export const PROTO_OTHER = 3;
export const PROTO_OTHER_NAME = 'other';

function col(name: string, type: 'int' | 'double', unit: FeatureColumn['unit'], doc: string): FeatureColumn {
  return { name, header: name, type, unit, doc };
}

const TW = 'connections in the 2 s before this one ended (this one included)';
const HW = 'of the last N connections (N = 100, or 256 in kdd-compat; this one included)';

export const NSLKDD28_FEATURE_COLUMNS: readonly FeatureColumn[] = [
  col('duration', 'int', 'none', 'whole seconds from first to last packet: ⌊(last − first) / 1 s⌋'),
  col('protocol_type', 'int', 'none', 'code into NSLKDD_PROTOCOLS (tcp, udp, icmp; 3 = other)'),
  col('service', 'int', 'none', 'code into NSLKDD_SERVICES (70 values) from dst port / ICMP type (services.ts)'),
  col('flag', 'int', 'none', 'code into NSLKDD_FLAGS from Zeek conn_state (TCP); SF for UDP/ICMP'),
  col('src_bytes', 'int', 'bytes', 'data bytes originator → responder (TCP/UDP payload; ICMP: ICMP header + data)'),
  col('dst_bytes', 'int', 'bytes', 'data bytes responder → originator'),
  col('land', 'int', 'flag', '1 iff source and destination address and port are equal'),
  col('wrong_fragment', 'int', 'count', 'bad IP fragments: overlapping, oversize (> 65535) or MF with a length not a multiple of 8'),
  col('urgent', 'int', 'count', 'packets with URG set (both directions)'),
  col('count', 'int', 'count', `${TW}, to the same destination host; capped at 511`),
  col('srv_count', 'int', 'count', `${TW}, to the same service (any host); capped at 511`),
  col('serror_rate', 'double', 'ratio', 'fraction of `count` connections with flag S0/S1/S2/S3'),
  col('srv_serror_rate', 'double', 'ratio', 'fraction of `srv_count` connections with flag S0/S1/S2/S3'),
  col('rerror_rate', 'double', 'ratio', 'fraction of `count` connections with flag REJ'),
  col('srv_rerror_rate', 'double', 'ratio', 'fraction of `srv_count` connections with flag REJ'),
  col('same_srv_rate', 'double', 'ratio', 'fraction of `count` connections to the same service'),
  col('diff_srv_rate', 'double', 'ratio', '1 − same_srv_rate'),
  col('srv_diff_host_rate', 'double', 'ratio', 'fraction of `srv_count` connections to other hosts'),
  col('dst_host_count', 'int', 'count', `${HW}, to the same destination host; capped (255 in kdd-compat)`),
  col('dst_host_srv_count', 'int', 'count', `${HW}, to the same service (any host); capped`),
  col('dst_host_same_srv_rate', 'double', 'ratio', 'fraction of dst_host_count connections to the same service'),
  col('dst_host_diff_srv_rate', 'double', 'ratio', '1 − dst_host_same_srv_rate'),
  col('dst_host_same_src_port_rate', 'double', 'ratio', 'fraction of dst_host_count connections from the same source port'),
  col('dst_host_srv_diff_host_rate', 'double', 'ratio', 'fraction of dst_host_srv_count connections to other hosts'),
  col('dst_host_serror_rate', 'double', 'ratio', 'S0/S1/S2/S3 fraction of dst_host_count connections'),
  col('dst_host_srv_serror_rate', 'double', 'ratio', 'S0/S1/S2/S3 fraction of dst_host_srv_count connections'),
  col('dst_host_rerror_rate', 'double', 'ratio', 'REJ fraction of dst_host_count connections'),
  col('dst_host_srv_rerror_rate', 'double', 'ratio', 'REJ fraction of dst_host_srv_count connections'),
];

export const NSLKDD28_COLUMN_NAMES: readonly string[] = NSLKDD28_FEATURE_COLUMNS.map((c) => c.name);

// row offsets
export const C_DURATION = 0;
export const C_PROTOCOL = 1;
export const C_SERVICE = 2;
export const C_FLAG = 3;
export const C_SRC_BYTES = 4;
export const C_DST_BYTES = 5;
export const C_LAND = 6;
export const C_WRONG_FRAGMENT = 7;
export const C_URGENT = 8;
/** First of the 9 time-window columns (time-window.ts order). */
export const C_TIME_WINDOW = 9;
/** First of the 10 host-window columns (host-window.ts order). */
export const C_HOST_WINDOW = 18;
