import type { Command } from '../command.js';

/**
 * Every subcommand, in the order `flowsentry --help` lists them. Each lives in its own file;
 * adding a command is one import and one array entry here.
 */
export async function loadCommands(): Promise<Command[]> {
  const modules = await Promise.all([
    // commands are appended here as they land
  ] as Promise<{ command: Command }>[]);
  return modules.map((m) => m.command);
}
