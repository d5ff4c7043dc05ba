import { parseCommandArgs, type Command } from '../command.js';
import { FlowsentryError } from '../../errors.js';
import { loadDataset, DATASET_KINDS } from '../../model/datasets/index.js';
import { loadModel } from '../../model/model-file.js';
import { evaluateModel } from '../../model/pipeline.js';
import { formatReport } from '../../model/report.js';

const help = `Usage: flowsentry evaluate --model MODEL --dataset nsl-kdd|cicids2017|flows FILE... [--truth truth.json] [--json]

Evaluates a model on labelled data: accuracy, per-class precision/recall/F1/support, macro and
weighted averages, confusion matrix, and ROC AUC for binary models. The task (binary/multiclass) and
the NSL-KDD feature mode come from the model.

  --model MODEL        model file (.fsm)
  --dataset KIND       nsl-kdd | cicids2017 | flows
  --truth FILE         ground-truth JSON for --dataset flows
  --keep-identifiers   must match training if the model was trained with it
  --json               print one JSON object (accuracy, macro_f1, auc, per_class, confusion, ...)
`;

export const command: Command = {
  name: 'evaluate',
  summary: 'evaluate a model on labelled NSL-KDD, CICIDS2017 or flow CSV data',
  help,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(
      'evaluate',
      argv,
      { model: { type: 'string' }, dataset: { type: 'string' }, truth: { type: 'string' }, json: { type: 'boolean' }, 'keep-identifiers': { type: 'boolean' } },
      true,
    );
    if (!values.model) throw new FlowsentryError('FS_ERR_USAGE', 'evaluate: --model MODEL is required');
    const kind = values.dataset;
    if (!kind || !DATASET_KINDS.includes(kind as (typeof DATASET_KINDS)[number])) throw new FlowsentryError('FS_ERR_USAGE', `--dataset must be one of ${DATASET_KINDS.join(', ')}`);
    if (positionals.length === 0) throw new FlowsentryError('FS_ERR_USAGE', 'evaluate: no data files given');
    const model = loadModel(values.model);
    const fs = model.info.featureSet;
    const ds = loadDataset(kind, positionals, {
      task: model.info.task,
      nslFeatures: fs === 'nslkdd28' ? 28 : 41,
      truth: values.truth,
      keepIdentifiers: values['keep-identifiers'] === true,
    });
    const r = evaluateModel(model, ds);
    if (values.json) process.stdout.write(JSON.stringify({ model: values.model, files: positionals, featureSet: fs, ...r }) + '\n');
    else process.stdout.write(formatReport(r, positionals.join(', ')) + '\n');
    return 0;
  },
};
