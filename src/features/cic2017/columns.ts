/**
 * The CICIDS2017 column table: the single source for the CSV header (exact text of the published
 * CICIDS2017 CSVs, leading spaces and the duplicated ` Fwd Header Length` included), the JSON keys /
 * model input names (`name`: the header trimmed; the duplicate is `Fwd Header Length.1`, pandas'
 * spelling) and the docs (docs/features-cic2017.md is generated from it).
 *
 * Units follow CICFlowMeter: times in microseconds, lengths in bytes of transport payload.
 * "compat" / "corrected" notes describe where the two modes differ (see features.ts).
 */
import type { FeatureColumn, ColumnType } from '../feature-set.js';

type Unit = FeatureColumn['unit'];

function col(header: string, type: ColumnType, unit: Unit, doc: string, name = header.trim()): FeatureColumn {
  return Object.freeze({ name, header, type, unit, doc });
}

const L = 'int' as const;
const D = 'double' as const;

/** Identifier columns of the TrafficLabelling (85-column) format, before the features. */
export const CIC_ID_HEADERS = ['Flow ID', ' Source IP', ' Source Port', ' Destination IP', ' Destination Port', ' Protocol', ' Timestamp'] as const;
export const CIC_LABEL_HEADER = ' Label';

/** The 77 numeric feature columns, in published order (TrafficLabelling columns 8–84). */
export const CIC_FEATURE_COLUMNS: readonly FeatureColumn[] = Object.freeze([
  col(' Flow Duration', L, 'us', 'time from the first to the last packet of the flow'),
  col(' Total Fwd Packets', L, 'count', 'packets in the forward direction (initiator → responder)'),
  col(' Total Backward Packets', L, 'count', 'packets in the backward direction'),
  col('Total Length of Fwd Packets', D, 'bytes', 'sum of forward payload lengths'),
  col(' Total Length of Bwd Packets', D, 'bytes', 'sum of backward payload lengths'),
  col(' Fwd Packet Length Max', D, 'bytes', 'max forward payload length'),
  col(' Fwd Packet Length Min', D, 'bytes', 'min forward payload length'),
  col(' Fwd Packet Length Mean', D, 'bytes', 'mean forward payload length'),
  col(' Fwd Packet Length Std', D, 'bytes', 'sample standard deviation of forward payload lengths'),
  col('Bwd Packet Length Max', D, 'bytes', 'max backward payload length (0 if none)'),
  col(' Bwd Packet Length Min', D, 'bytes', 'min backward payload length (0 if none)'),
  col(' Bwd Packet Length Mean', D, 'bytes', 'mean backward payload length (0 if none)'),
  col(' Bwd Packet Length Std', D, 'bytes', 'sample std of backward payload lengths (0 if none)'),
  col('Flow Bytes/s', D, 'bytes/s', 'payload bytes per second; compat: Infinity/NaN for zero duration; corrected: 0'),
  col(' Flow Packets/s', D, 'packets/s', 'packets per second; compat: Infinity for zero duration; corrected: 0'),
  col(' Flow IAT Mean', D, 'us', 'mean gap between consecutive packets'),
  col(' Flow IAT Std', D, 'us', 'sample std of gaps between consecutive packets'),
  col(' Flow IAT Max', D, 'us', 'max gap between consecutive packets'),
  col(' Flow IAT Min', D, 'us', 'min gap between consecutive packets'),
  col('Fwd IAT Total', D, 'us', 'sum of gaps between consecutive forward packets'),
  col(' Fwd IAT Mean', D, 'us', 'mean forward gap'),
  col(' Fwd IAT Std', D, 'us', 'sample std of forward gaps'),
  col(' Fwd IAT Max', D, 'us', 'max forward gap'),
  col(' Fwd IAT Min', D, 'us', 'min forward gap'),
  col('Bwd IAT Total', D, 'us', 'sum of gaps between consecutive backward packets'),
  col(' Bwd IAT Mean', D, 'us', 'mean backward gap'),
  col(' Bwd IAT Std', D, 'us', 'sample std of backward gaps'),
  col(' Bwd IAT Max', D, 'us', 'max backward gap'),
  col(' Bwd IAT Min', D, 'us', 'min backward gap'),
  col('Fwd PSH Flags', L, 'count', 'compat: PSH on the first packet (0/1); corrected: forward packets with PSH'),
  col(' Bwd PSH Flags', L, 'count', 'compat: always 0; corrected: backward packets with PSH'),
  col(' Fwd URG Flags', L, 'count', 'compat: URG on the first packet; corrected: forward packets with URG'),
  col(' Bwd URG Flags', L, 'count', 'compat: always 0; corrected: backward packets with URG'),
  col(' Fwd Header Length', L, 'bytes', 'sum of forward transport header lengths (TCP incl. options, UDP 8)'),
  col(' Bwd Header Length', L, 'bytes', 'sum of backward transport header lengths'),
  col('Fwd Packets/s', D, 'packets/s', 'forward packets per second (0 for zero duration)'),
  col(' Bwd Packets/s', D, 'packets/s', 'backward packets per second (0 for zero duration)'),
  col(' Min Packet Length', D, 'bytes', 'min payload length over the flow (compat: first packet counted twice)'),
  col(' Max Packet Length', D, 'bytes', 'max payload length over the flow'),
  col(' Packet Length Mean', D, 'bytes', 'mean payload length (compat: first packet counted twice)'),
  col(' Packet Length Std', D, 'bytes', 'sample std of payload lengths (compat: first packet counted twice)'),
  col(' Packet Length Variance', D, 'bytes', 'sample variance of payload lengths (unit: bytes²)'),
  col('FIN Flag Count', L, 'count', 'compat: RST of the first packet (published column permutation); corrected: packets with FIN'),
  col(' SYN Flag Count', L, 'count', 'compat: PSH of the first packet; corrected: packets with SYN'),
  col(' RST Flag Count', L, 'count', 'compat: ECE of the first packet; corrected: packets with RST'),
  col(' PSH Flag Count', L, 'count', 'compat: SYN of the first packet; corrected: packets with PSH'),
  col(' ACK Flag Count', L, 'count', 'compat: ACK of the first packet; corrected: packets with ACK'),
  col(' URG Flag Count', L, 'count', 'compat: FIN of the first packet; corrected: packets with URG'),
  col(' CWE Flag Count', L, 'count', 'compat: URG of the first packet; corrected: packets with CWR (the header keeps the published typo)'),
  col(' ECE Flag Count', L, 'count', 'compat: CWR of the first packet; corrected: packets with ECE'),
  col(' Down/Up Ratio', D, 'ratio', 'backward/forward packets (compat: integer division)'),
  col(' Average Packet Size', D, 'bytes', 'payload bytes per packet (compat: first packet counted twice in the sum)'),
  col(' Avg Fwd Segment Size', D, 'bytes', 'forward payload bytes per forward packet'),
  col(' Avg Bwd Segment Size', D, 'bytes', 'backward payload bytes per backward packet'),
  col(' Fwd Header Length', L, 'bytes', 'duplicate of column Fwd Header Length (published format)', 'Fwd Header Length.1'),
  col('Fwd Avg Bytes/Bulk', L, 'bytes', 'compat: 0; corrected: mean bytes per forward bulk (≥4 payload packets, gaps ≤1 s)'),
  col(' Fwd Avg Packets/Bulk', L, 'count', 'compat: 0; corrected: mean packets per forward bulk'),
  col(' Fwd Avg Bulk Rate', L, 'bytes/s', 'compat: 0; corrected: forward bulk bytes per bulk second'),
  col(' Bwd Avg Bytes/Bulk', L, 'bytes', 'compat: 0; corrected: mean bytes per backward bulk'),
  col(' Bwd Avg Packets/Bulk', L, 'count', 'compat: 0; corrected: mean packets per backward bulk'),
  col('Bwd Avg Bulk Rate', L, 'bytes/s', 'compat: 0; corrected: backward bulk bytes per bulk second'),
  col('Subflow Fwd Packets', L, 'count', 'compat: = Total Fwd Packets; corrected: mean forward packets per subflow (gap > 1 s splits)'),
  col(' Subflow Fwd Bytes', L, 'bytes', 'compat: forward payload bytes; corrected: per subflow'),
  col(' Subflow Bwd Packets', L, 'count', 'compat: = Total Backward Packets; corrected: per subflow'),
  col(' Subflow Bwd Bytes', L, 'bytes', 'compat: backward payload bytes; corrected: per subflow'),
  col('Init_Win_bytes_forward', L, 'window', 'raw TCP window of the first packet; -1 if not TCP'),
  col(' Init_Win_bytes_backward', L, 'window', 'compat: window of the last backward packet; corrected: of the first; -1 if none / not TCP'),
  col(' act_data_pkt_fwd', L, 'count', 'forward packets with payload ≥ 1 (compat: excluding the first, padding counts)'),
  col(' min_seg_size_forward', L, 'bytes', 'minimum forward transport header length'),
  col('Active Mean', D, 'us', 'mean active period (activity separated by > 5 s gaps)'),
  col(' Active Std', D, 'us', 'sample std of active periods'),
  col(' Active Max', D, 'us', 'max active period'),
  col(' Active Min', D, 'us', 'min active period'),
  col('Idle Mean', D, 'us', 'mean idle period (gaps > 5 s)'),
  col(' Idle Std', D, 'us', 'sample std of idle periods'),
  col(' Idle Max', D, 'us', 'max idle period'),
  col(' Idle Min', D, 'us', 'min idle period'),
]);

/** Index of each column by name, for code that fills rows. */
export const C = Object.freeze(Object.fromEntries(CIC_FEATURE_COLUMNS.map((c, i) => [c.name, i]))) as Readonly<Record<string, number>>;

/** The 85-column TrafficLabelling header. */
export function trafficLabellingHeader(): string[] {
  return [...CIC_ID_HEADERS, ...CIC_FEATURE_COLUMNS.map((c) => c.header), CIC_LABEL_HEADER];
}

/** The 79-column MachineLearningCVE header (identifiers except Destination Port removed). */
export function machineLearningHeader(): string[] {
  return [' Destination Port', ...CIC_FEATURE_COLUMNS.map((c) => c.header), CIC_LABEL_HEADER];
}
