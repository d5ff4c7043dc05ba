/** NSL-KDD (`nslkdd28`) feature set: public surface. */
export { NslKddFeatures, NSLKDD28_ID, type NslKddOptions, type NslKddWindowPreset } from './features.js';
export { NSLKDD28_FEATURE_COLUMNS, NSLKDD28_COLUMN_NAMES, NSLKDD_PROTOCOLS } from './columns.js';
export { NSLKDD_SERVICES, tcpService, udpService, icmpService } from './services.js';
export { NSLKDD_FLAGS, kddFlagCode } from './flags.js';
export {
  createNslKddModelInput, nslkddRawRow, nslkddRawValue, nslkddRecord, NSLKDD28_VOCABULARIES, type NslKddModelInput,
} from './model-input.js';
