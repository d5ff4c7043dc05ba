import type { PacketView } from '../decode/packet-view.js';
import type { MeterConfig } from '../flow/meter-config.js';

/** How a column's value is printed in CSV output. */
export type ColumnType =
  /** Java long/int in CICFlowMeter: printed as an integer. */
  | 'int'
  /** Java double: printed in Java Double.toString style in compat mode ("714.0", "1.5E7"). */
  | 'double';

/** One numeric output column of a feature set: the single source for CSV header, JSON key and docs. */
export interface FeatureColumn {
  /** Stable machine name (JSON key, model input name): the published header trimmed. */
  readonly name: string;
  /** Exact CSV header text (leading spaces included where the published CSVs have them). */
  readonly header: string;
  readonly type: ColumnType;
  readonly unit: 'count' | 'bytes' | 'us' | 'bytes/s' | 'packets/s' | 'ratio' | 'flag' | 'port' | 'window' | 'none';
  readonly doc: string;
}

/** What the meter tells a feature set about the packet it is adding. */
export const enum Dir {
  FWD = 0,
  BWD = 1,
}

/** MeterHooks.warm's direction value for a slot about to hold a new flow. */
export const WARM_NEW = 2;

/**
 * A feature set is a plugin of the flow meter (NFStream's NFPlugin hooks, Suricata's flow storage):
 * it owns per-flow state in its own typed arrays indexed by the meter's slot, and never touches the
 * flow table. Hooks run on the hot path and must not allocate.
 */
export interface FeatureSet {
  readonly id: string;
  readonly columns: readonly FeatureColumn[];
  /** Flow lifecycle this set's semantics require (merged over the meter defaults). */
  readonly meter: Partial<MeterConfig>;
  /** Allocates state for `capacity` slots. Called once before any packet. */
  init(capacity: number): void;
  /** First packet of a new flow in `slot` (always the forward direction). */
  onFlowStart(slot: number, pkt: PacketView): void;
  /** Every later packet of the flow. */
  onPacket(slot: number, pkt: PacketView, dir: Dir): void;
  /**
   * Writes the flow's values for `columns` into out[offset ...]. Must not change state: it is also used
   * for provisional rows of flows that are still open.
   */
  finish(slot: number, out: Float64Array, offset: number): void;
}
