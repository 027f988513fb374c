// The commands other than `run`, defined for commander: parsing and --help. Each command's implementation is
// imported by its action, so defining them all costs only commander and the option definitions.
import { Command, CommanderError } from '@commander-js/extra-typings';
import { registerExplain } from './explain.js';
import { registerHistory } from './history.js';
import { registerKube } from './kube.js';
import { registerPostmortem } from './postmortem.js';
import { registerRank } from './rank.js';
import { registerRecord } from './record.js';
import { registerReplay } from './replay.js';
import { registerServe } from './serve.js';
import { registerSimulate } from './simulate.js';
import { registerTop } from './top.js';

export function buildProgram(): Command {
  const program = new Command()
    .name('oomguard')
    .description('a userspace out-of-memory killer for Linux that explains every decision')
    .version('0.1.0')
    .option(
      '--root <dir>',
      'read /proc and /sys under DIR (fixture trees, a host /proc mounted elsewhere)',
      '/',
    )
    .showHelpAfterError(false)
    .exitOverride();
  // Listed for --help only: `run` takes earlyoom's flags, which main() hands to runCommand directly.
  program
    .command('run')
    .description(
      'the daemon: watch memory, decide, act (--dry-run: only say what it would do; run -h for flags)',
    );
  registerRank(program);
  registerExplain(program);
  registerSimulate(program);
  registerRecord(program);
  registerReplay(program);
  registerServe(program);
  registerKube(program);
  registerTop(program);
  registerHistory(program);
  registerPostmortem(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

/** Parses argv and runs the command it names; the exit code for commander's own errors, others thrown. */
export async function parseCommandLine(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has already printed its message. Asked-for help and --version exit 0; help printed
      // because no command was given (exit code 1 from commander) and every parse error are usage errors.
      return e.exitCode === 0 ? 0 : 2;
    }
    throw e;
  }
}
