#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { describeError } from '../errors.js';
import { COMMANDS } from './commands/index.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function main(argv: string[]): Promise<number> {
  const commands = COMMANDS;
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const lines = [
      `flowsentry ${version()} — real-time network traffic anomaly detector`,
      '',
      'Usage: flowsentry <command> [options]     (flowsentry <command> --help for details)',
      '',
      'Commands:',
      ...commands.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`),
    ];
    process.stdout.write(lines.join('\n') + '\n');
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(version() + '\n');
    return 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`flowsentry: unknown command '${name}' (known: ${commands.map((c) => c.name).join(', ')})\n`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.help.trimEnd() + '\n');
    return 0;
  }
  return command.run(rest);
}

// `flowsentry … | head`: the reader left; stop quietly as a Unix filter does on SIGPIPE
const isEpipe = (err: unknown): boolean => (err as NodeJS.ErrnoException | null)?.code === 'EPIPE';
process.stdout.on('error', (err) => {
  if (isEpipe(err)) process.exit(0);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (isEpipe(err)) {
      process.exitCode = 0;
      return;
    }
    process.stderr.write(`flowsentry: ${describeError(err)}\n`);
    if (process.env.FLOWSENTRY_DEBUG) process.stderr.write(String((err as Error)?.stack) + '\n');
    process.exitCode = 1;
  },
);
