/**
 * NSL-KDD's 11 connection flags (Bro/Zeek conn_state names, feature-semantics.md §2.2) and the mapping
 * from flowsentry's Zeek conn_state (src/flow/tcp-state.ts) to them.
 */

/** The 11 flags; a flag code is an index into this array. */
export const NSLKDD_FLAGS = ['OTH', 'REJ', 'RSTO', 'RSTOS0', 'RSTR', 'S0', 'S1', 'S2', 'S3', 'SF', 'SH'] as const;
export type NslKddFlag = (typeof NSLKDD_FLAGS)[number];

export const FLAG_OTH = 0;
export const FLAG_REJ = 1;
export const FLAG_S0 = 5;
export const FLAG_S1 = 6;
export const FLAG_S2 = 7;
export const FLAG_S3 = 8;
export const FLAG_SF = 9;

const CODE = new Map<string, number>(NSLKDD_FLAGS.map((f, i) => [f, i]));

/**
 * Zeek conn_state → NSL-KDD flag code. RSTRH and SHR (modern Zeek, absent from the data) map to OTH:
 * both describe a connection whose SYN was never seen, which is what OTH means in KDD.
 */
export function kddFlagCode(connState: string): number {
  return CODE.get(connState) ?? FLAG_OTH;
}

/** "SYN error" as counted by serror_rate & co.: S0, S1, S2, S3 (AI-IDS Conversation::is_serror, §2 table). */
export function isSerror(flag: number): boolean {
  return flag === FLAG_S0 || flag === FLAG_S1 || flag === FLAG_S2 || flag === FLAG_S3;
}

/** "REJ error" as counted by rerror_rate & co. */
export function isRerror(flag: number): boolean {
  return flag === FLAG_REJ;
}
