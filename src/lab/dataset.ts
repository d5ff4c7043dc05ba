import { FlowsentryError } from '../errors.js';
export async function labDataset(_truth: string, _capture: string, _out: string): Promise<number> {
  throw new FlowsentryError('FS_ERR_LAB', 'lab dataset is not implemented yet');
}
