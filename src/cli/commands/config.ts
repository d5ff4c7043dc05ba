import { configToYaml, flatConfig } from '../../config/load.js';
import { COMMON_HELP, COMMON_OPTIONS, resolveConfig } from '../../sensor/cli.js';
import { parseCommandArgs, type Command } from '../command.js';

const help = `Usage: flowsentry config --print [--config FILE] [--set PATH=VALUE ...] [flags]

Prints the effective sensor configuration (defaults ← config file ← --set ← flags) as YAML, or
checks it (--check: exit 0 and print "ok" when valid; errors name the bad key).

  --print                  print the effective configuration as YAML (default)
  --flat                   print one PATH=VALUE line per key instead (the --set names)
  --check                  validate only
  -i, --interface IFACE    as monitor
  -f, --filter BPF         as monitor
${COMMON_HELP}`;

export const command: Command = {
  name: 'config',
  summary: 'print or check the effective sensor configuration',
  help,
  async run(argv) {
    const { values } = parseCommandArgs('config', argv, {
      ...COMMON_OPTIONS, print: { type: 'boolean' }, flat: { type: 'boolean' }, check: { type: 'boolean' },
      interface: { type: 'string', short: 'i' }, filter: { type: 'string', short: 'f' },
    });
    const extra: [string, unknown][] = [];
    if (values.interface !== undefined) extra.push(['interface', values.interface]);
    if (values.filter !== undefined) extra.push(['filter', values.filter]);
    const cfg = resolveConfig(values, extra);
    if (values.check) {
      process.stdout.write('ok\n');
      return 0;
    }
    if (values.flat) {
      process.stdout.write(flatConfig(cfg).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') + '\n');
      return 0;
    }
    process.stdout.write(configToYaml(cfg));
    return 0;
  },
};
