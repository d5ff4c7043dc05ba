/**
 * Per-flow TCP connection state in Zeek's vocabulary (conn_state, history), kept in one typed
 * array indexed by flow slot: a 24-byte record per slot, no objects per flow. The flow table owns slot numbers and decides direction (`fromOrig`).
 *
 * Model: Zeek's per-endpoint TCP states (TCPSessionAdapter::UpdateStateMachine, Zeek 6/7) with
 * conn_state() derived from the pair exactly as scripts/base/protocols/conn/main.zeek does
 * (see /work/shared/reference/feature-semantics.md §2.2). Simplifications are listed in
 * docs/decode.md ("TCP state") and at the members below.
 */
import { TcpFlag } from '../decode/packet-view.js';

/** closedBy(): FIN seen both ways and the last FIN acknowledged. */
export const TERM_FIN = 1;
/** closedBy(): a RST was seen (either direction). */
export const TERM_RST = 2;
export type TcpTermination = 0 | typeof TERM_FIN | typeof TERM_RST;

/** Zeek TCP endpoint states (values as in Zeek's TCP_ENDPOINT_* enum). */
export const TcpEndpointState = {
  INACTIVE: 0,
  SYN_SENT: 1,
  SYN_ACK_SENT: 2,
  PARTIAL: 3,
  ESTABLISHED: 4,
  CLOSED: 5,
  RESET: 6,
} as const;

const INACTIVE = 0;
const SYN_SENT = 1;
const SYN_ACK_SENT = 2;
const PARTIAL = 3;
const ESTABLISHED = 4;
const CLOSED = 5;
const RESET = 6;

// History "seen" bits per direction (Zeek's HIST_* masks); orig in bits 0..7, resp in 8..15.
const H_SYN = 0x01;
const H_FIN = 0x02;
const H_RST = 0x04;
const H_FIN_RST = 0x08;
const H_DATA = 0x10;
const H_ACK = 0x20;
const H_MULTI = 0x40;
/** Not a history letter: payload bytes were sent (for REJ's "no bytes either way"). */
const H_BYTES = 0x80;

// term column bits
const T_FIN_O = 0x01;
const T_FIN_R = 0x02;
const T_ACKED_O = 0x04; // orig's FIN acknowledged by resp
const T_ACKED_R = 0x08;
const T_LAST_FIN_R = 0x10; // the most recent FIN came from resp
const T_CLOSED_SHIFT = 5; // 2 bits: 0 / TERM_FIN / TERM_RST, set once

/** History letters, index = 4-bit code. Upper case = originator. */
const LETTERS = 'SHADFRQIshadfrqi';
const L_S = 0;
const L_H = 1;
const L_A = 2;
const L_D = 3;
const L_F = 4;
const L_R = 5;
const L_Q = 6;
const L_I = 7;
/** Letters kept per slot (4 bits each in two Uint32 words). Later letters are dropped. */
export const MAX_HISTORY = 16;

/** What update() reads from a TCP packet (a PacketView is one). */
export interface TcpSegment {
  /** TcpFlag bits as decoded. */
  readonly tcpFlags: number;
  /** TCP payload bytes per the IP header (PacketView.payloadLen). */
  readonly payloadLen: number;
  /** Raw 32-bit sequence / acknowledgement numbers. */
  readonly tcpSeq: number;
  readonly tcpAck: number;
}

/** seq a ≥ seq b in 32-bit sequence space (RFC 1982 style). */
function seqGE(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

/** Bytes of TCP state per slot: one record (see the TcpStateTable comment). */
const REC = 24;
// byte offsets in a record (Uint8 view)
/** Endpoint states: low nibble = state, high nibble = previous state (Zeek's prev_state). */
const ORIG = 0;
const RESP = 1;
/** Stored history letter count. */
const HLEN = 2;
/** FIN/ack/closed bits (T_*). */
const TERM = 3;
// Uint16 offset: history letters seen once (H_* bits), orig low byte, resp high byte
const SEEN16 = 2;
// Uint32 offsets
/** Stored history: 16 × 4-bit codes in two words. */
const HLO = 2;
const HHI = 3;
/**
 * Sequence number of the last SYN/RST (seq) or FIN (seq + payload) per direction. Zeek keeps
 * one per flag (hist_last_SYN/FIN/RST); one per direction is the space-saving simplification:
 * a repeated letter is added when its seq differs from the last *control* packet's.
 * It also locates the FIN for the "FIN acknowledged" test (FIN occupies seq + payload).
 */
const CTL_O = 4;
const CTL_R = 5;

/**
 * Zeek-style TCP endpoint states, history and termination per flow slot. All of a slot's state is
 * one 24-byte record viewed as bytes, 16-bit and 32-bit words, so a TCP packet touches one cache
 * line (rarely two) rather than nine parallel arrays.
 */
export class TcpStateTable {
  private readonly b: Uint8Array;
  private readonly h: Uint16Array;
  private readonly w: Uint32Array;
  readonly capacity: number;

  constructor(capacity: number) {
    const buf = new ArrayBuffer(capacity * REC);
    this.b = new Uint8Array(buf);
    this.h = new Uint16Array(buf);
    this.w = new Uint32Array(buf);
    this.capacity = capacity;
  }

  /** Bytes of state per slot (for memory accounting). */
  static readonly BYTES_PER_SLOT = REC;

  reset(slot: number): void {
    const w = this.w;
    const o = slot * (REC >> 2);
    for (let i = 0; i < REC >> 2; i++) w[o + i] = 0; // not fill(): a builtin call per flow costs more
  }

  /** Loads slot's record, changing nothing (see FlowMeter.warm). */
  warm(slot: number): number {
    return this.w[slot * (REC >> 2)];
  }

  /**
   * True when update() with these arguments would change nothing, which is the case for the bulk of
   * a connection's packets: no SYN/FIN/RST, the sender's endpoint past INACTIVE, no FIN seen yet,
   * and the history letter (and "bytes sent" bit) the packet would add already there. Endpoint
   * states move only on SYN/FIN/RST or out of INACTIVE, the termination bits only on FIN/RST or an
   * ACK after a FIN, the history only the first time D or A is seen per direction.
   *
   * Why: the meter asks this first (three loads from the slot's record, small enough to inline)
   * and calls update() — ~500 instructions of general rules — only when it returns false.
   * test/unit/flow/tcp-state.test.ts checks on random packet sequences that update() indeed
   * changes no bit whenever this returns true.
   */
  unchangedBy(slot: number, fromOrig: boolean, tcpFlags: number, payloadLen: number): boolean {
    if ((tcpFlags & (TcpFlag.SYN | TcpFlag.FIN | TcpFlag.RST)) !== 0) return false;
    const b = this.b;
    const r = slot * REC;
    if ((b[r + (fromOrig ? ORIG : RESP)] & 15) === INACTIVE || (b[r + TERM] & (T_FIN_O | T_FIN_R)) !== 0) return false;
    const need = payloadLen > 0 ? H_DATA | H_BYTES : (tcpFlags & TcpFlag.ACK) !== 0 ? H_ACK : 0;
    const m = fromOrig ? need : need << 8;
    return (this.h[(r >> 1) + SEEN16] & m) === m;
  }

  /**
   * Feeds one TCP packet of the flow in `slot`. Takes the packet rather than its four numbers: sequence
   * numbers above 2^31 passed as arguments to a call V8 does not inline are boxed into heap numbers.
   */
  update(slot: number, fromOrig: boolean, seg: TcpSegment): void {
    const tcpFlags = seg.tcpFlags;
    const payloadLen = seg.payloadLen;
    const syn = (tcpFlags & TcpFlag.SYN) !== 0;
    const fin = (tcpFlags & TcpFlag.FIN) !== 0;
    const rst = (tcpFlags & TcpFlag.RST) !== 0;
    const ackf = (tcpFlags & TcpFlag.ACK) !== 0;

    // the helpers read seq/ack from the segment themselves (same reason as update's signature)
    this.updateHistory(slot, fromOrig, syn, fin, rst, ackf, seg);
    if (payloadLen > 0 && !rst) this.h[slot * (REC >> 1) + SEEN16] |= fromOrig ? H_BYTES : H_BYTES << 8;

    // ---- endpoint state machine (Zeek UpdateStateMachine) ----
    const b = this.b;
    const epIdx = slot * REC + (fromOrig ? ORIG : RESP);
    const peerIdx = slot * REC + (fromOrig ? RESP : ORIG);
    const ep = b[epIdx] & 15;
    const peer = b[peerIdx] & 15;
    switch (ep) {
      case INACTIVE: {
        let cur: number = INACTIVE;
        let peerCur = peer;
        if (syn) {
          if (fromOrig) {
            cur = ackf ? SYN_ACK_SENT : SYN_SENT;
            setState(b, epIdx, cur);
          } else {
            // SYN-ACK (or a simultaneous-open SYN) from the responder establishes both sides when
            // the originator's SYN was seen. Zeek flips roles when the orig had sent a SYN-ACK
            // and the resp answers with a bare SYN; direction is the flow table's, so we don't.
            if (peer === SYN_SENT || (peer === SYN_ACK_SENT && !ackf)) {
              setState(b, peerIdx, ESTABLISHED);
              peerCur = ESTABLISHED;
            }
            cur = ESTABLISHED;
            setState(b, epIdx, cur);
          }
        }
        if (fin) {
          cur = CLOSED;
          setState(b, epIdx, cur);
        }
        if (rst) {
          cur = RESET;
          setState(b, epIdx, cur);
        }
        if (cur === INACTIVE) {
          // No control flags. A bare ACK from the responder to a pending SYN (some stacks ack
          // before their SYN-ACK) doesn't make a partial connection.
          if (!fromOrig && payloadLen === 0 && (b[slot * REC + ORIG] & 15) === SYN_SENT) {
            // stay INACTIVE
          } else if (ackf && peerCur === ESTABLISHED) {
            // SYN-ACK seen, SYN missed, now the ACK: treat as established, not partial.
            setState(b, epIdx, ESTABLISHED);
          } else {
            setState(b, epIdx, PARTIAL);
          }
        }
        break;
      }
      case SYN_SENT:
      case SYN_ACK_SENT:
        if (fin) setState(b, epIdx, CLOSED);
        if (rst) setState(b, epIdx, RESET);
        break;
      case ESTABLISHED:
      case PARTIAL:
        if (syn && ep === PARTIAL && peer === INACTIVE && !ackf) setState(b, epIdx, SYN_SENT);
        if (fin && !rst) {
          setState(b, epIdx, CLOSED);
          // The peer sent FIN then RST: that was a normal close after all.
          if (peer === RESET && b[peerIdx] >> 4 === CLOSED) setState(b, peerIdx, CLOSED);
        }
        if (rst) setState(b, epIdx, RESET);
        break;
      case CLOSED:
        // After a FIN exchange (peer closed too), a RST doesn't change the outcome.
        if (rst && peer !== CLOSED) setState(b, epIdx, RESET);
        break;
      default: // RESET: nothing changes any more
        break;
    }

    this.updateTermination(slot, fromOrig, fin, rst, ackf, seg);
  }

  /** FIN/RST bookkeeping for closedBy(). */
  private updateTermination(
    slot: number,
    fromOrig: boolean,
    fin: boolean,
    rst: boolean,
    ackf: boolean,
    seg: TcpSegment,
  ): void {
    let t = this.b[slot * REC + TERM];
    if (fin && !rst) {
      t |= fromOrig ? T_FIN_O : T_FIN_R;
      t = fromOrig ? t & ~T_LAST_FIN_R : t | T_LAST_FIN_R;
      // A retransmitted or moved FIN needs a fresh acknowledgement.
      t &= fromOrig ? ~T_ACKED_O : ~T_ACKED_R;
    }
    if (ackf && !rst) {
      const ack = seg.tcpAck >>> 0;
      // Does this ACK cover the peer's FIN? The FIN occupies sequence number (FIN seq + payload),
      // so it is acknowledged by ack ≥ that + 1.
      if (fromOrig && (t & T_FIN_R) !== 0 && seqGE(ack, (this.w[slot * (REC >> 2) + CTL_R] + 1) >>> 0)) t |= T_ACKED_R;
      if (!fromOrig && (t & T_FIN_O) !== 0 && seqGE(ack, (this.w[slot * (REC >> 2) + CTL_O] + 1) >>> 0)) t |= T_ACKED_O;
    }
    if (t >> T_CLOSED_SHIFT === 0) {
      if (rst) {
        t |= TERM_RST << T_CLOSED_SHIFT;
      } else if ((t & (T_FIN_O | T_FIN_R)) === (T_FIN_O | T_FIN_R)) {
        const lastAcked = (t & T_LAST_FIN_R) !== 0 ? (t & T_ACKED_R) !== 0 : (t & T_ACKED_O) !== 0;
        if (lastAcked) t |= TERM_FIN << T_CLOSED_SHIFT;
      }
    }
    this.b[slot * REC + TERM] = t;
  }

  /** Zeek's history rules (update_history in TCPSessionAdapter.cc). */
  private updateHistory(
    slot: number,
    fromOrig: boolean,
    syn: boolean,
    fin: boolean,
    rst: boolean,
    ackf: boolean,
    seg: TcpSegment,
  ): void {
    const payloadLen = seg.payloadLen;
    const seq = seg.tcpSeq >>> 0;
    const bitsSet = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
    const w = this.w;
    const lastIdx = slot * (REC >> 2) + (fromOrig ? CTL_O : CTL_R);
    if (bitsSet > 1) {
      // SYN+FIN, SYN+RST, ...: one letter, once per direction, never repeated.
      if (fin && rst) this.checkHistory(slot, fromOrig, H_FIN_RST, L_I);
      else this.checkHistory(slot, fromOrig, H_MULTI, L_Q);
      // Keep the FIN position for the FIN-ack test.
      if (fin) w[lastIdx] = (seq + payloadLen) >>> 0;
    } else if (bitsSet === 1) {
      // Repeated letters only when the packet's seq moved (a plain retransmission adds nothing).
      // Zeek uses the SYN's seq, the FIN's seq + payload, the RST's seq.
      const ctlSeq = fin ? (seq + payloadLen) >>> 0 : seq;
      const code = syn ? (ackf ? L_H : L_S) : fin ? L_F : L_R;
      const mask = syn ? H_SYN : fin ? H_FIN : H_RST;
      if (this.checkHistory(slot, fromOrig, mask, code) && ctlSeq !== w[lastIdx]) {
        this.addHistory(slot, fromOrig, code);
      }
      w[lastIdx] = ctlSeq;
    } else if (payloadLen > 0) {
      this.checkHistory(slot, fromOrig, H_DATA, L_D);
    } else if (ackf) {
      this.checkHistory(slot, fromOrig, H_ACK, L_A);
    }
  }

  /** Adds the letter the first time `mask` is seen in this direction; returns true if seen before. */
  private checkHistory(slot: number, fromOrig: boolean, mask: number, code: number): boolean {
    const m = fromOrig ? mask : mask << 8;
    const si = slot * (REC >> 1) + SEEN16;
    if ((this.h[si] & m) !== 0) return true;
    this.h[si] |= m;
    this.addHistory(slot, fromOrig, code);
    return false;
  }

  private addHistory(slot: number, fromOrig: boolean, code: number): void {
    const n = this.b[slot * REC + HLEN];
    if (n >= MAX_HISTORY) return;
    const c = fromOrig ? code : code + 8;
    const wi = slot * (REC >> 2);
    if (n < 8) this.w[wi + HLO] = (this.w[wi + HLO] | (c << (n * 4))) >>> 0;
    else this.w[wi + HHI] = (this.w[wi + HHI] | (c << ((n - 8) * 4))) >>> 0;
    this.b[slot * REC + HLEN] = n + 1;
  }

  private letterCode(slot: number, i: number): number {
    const wi = slot * (REC >> 2);
    return i < 8 ? (this.w[wi + HLO] >>> (i * 4)) & 15 : (this.w[wi + HHI] >>> ((i - 8) * 4)) & 15;
  }

  /** Zeek history string (letters in order of first occurrence, repeats per the rules above). */
  history(slot: number): string {
    let s = '';
    const n = this.b[slot * REC + HLEN];
    for (let i = 0; i < n; i++) s += LETTERS[this.letterCode(slot, i)];
    return s;
  }

  /** Zeek's RSTOS0 test: history matches /^\^?S[^HAFGIQ]*R/ (no '^' here). */
  private historyIsSynThenRst(slot: number): boolean {
    const n = this.b[slot * REC + HLEN];
    if (n === 0 || this.letterCode(slot, 0) !== L_S) return false;
    for (let i = 1; i < n; i++) {
      const c = this.letterCode(slot, i);
      if (c === L_R) return true;
      if (c === L_H || c === L_A || c === L_F || c === L_I || c === L_Q) return false;
    }
    return false;
  }

  /** A copy of slot's whole record (every bit of its state), for tests. */
  rawRecord(slot: number): Uint8Array {
    return this.b.slice(slot * REC, (slot + 1) * REC);
  }

  /** Raw endpoint states (TcpEndpointState), for debugging and tests. */
  endpointStates(slot: number): [number, number] {
    return [this.b[slot * REC + ORIG] & 15, this.b[slot * REC + RESP] & 15];
  }

  /** Zeek conn_state: S0 S1 SF REJ S2 S3 RSTO RSTR RSTOS0 RSTRH SH SHR OTH. */
  connState(slot: number): string {
    const os = this.b[slot * REC + ORIG] & 15;
    const rs = this.b[slot * REC + RESP] & 15;
    const oInactive = os === INACTIVE || os === PARTIAL;
    const rInactive = rs === INACTIVE || rs === PARTIAL;
    if (rs === RESET) {
      const noBytes = (this.h[slot * (REC >> 1) + SEEN16] & (H_BYTES | (H_BYTES << 8))) === 0;
      if (os === SYN_SENT || os === SYN_ACK_SENT || (os === RESET && noBytes)) return 'REJ';
      return oInactive ? 'RSTRH' : 'RSTR';
    }
    if (os === RESET) {
      if (!rInactive) return 'RSTO';
      return this.historyIsSynThenRst(slot) ? 'RSTOS0' : 'OTH';
    }
    if (os === CLOSED && rs === CLOSED) return 'SF';
    if (os === CLOSED) return rInactive ? 'SH' : 'S2';
    if (rs === CLOSED) return oInactive ? 'SHR' : 'S3';
    if (os === SYN_SENT && rs === INACTIVE) return 'S0';
    if (os === ESTABLISHED && rs === ESTABLISHED) return 'S1';
    return 'OTH';
  }

  /** How the connection ended so far: 0 (open), TERM_FIN or TERM_RST — whichever came first. */
  closedBy(slot: number): TcpTermination {
    return (this.b[slot * REC + TERM] >> T_CLOSED_SHIFT) as TcpTermination;
  }
}

/** Zeek's SetState: remembers the previous state in the high nibble. */
function setState(b: Uint8Array, i: number, s: number): void {
  b[i] = ((b[i] & 15) << 4) | s;
}
