// The oomguard command line: parse, call the library, print. Errors end with a specific message and exit code.
import { Command, CommanderError } from '@commander-js/extra-typings';
import { OomguardError } from '../model/errors.js';
import { registerExplain } from './explain.js';
import { registerRank } from './rank.js';

export function buildProgram(): Command {
  const program = new Command()
    .name('oomguard')
    .description('a userspace out-of-memory killer for Linux that explains every decision')
    .version('0.1.0')
    .option('--root <dir>', 'read /proc and /sys under DIR (fixture trees, a host /proc mounted elsewhere)', '/')
    .showHelpAfterError(false)
    .exitOverride();
  registerRank(program);
  registerExplain(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are not failures; every other parse error is a usage error (exit 2).
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof OomguardError) {
      process.stderr.write(`oomguard: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof Error) {
      process.stderr.write(`oomguard: internal error: ${e.stack ?? e.message}\n`);
      return 70;
    }
    throw e;
  }
}
