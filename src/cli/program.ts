// The oomguard command line: parse, call the library, print. Errors end with a specific message and exit code.
import { Command, CommanderError } from '@commander-js/extra-typings';
import { OomguardError } from '../model/errors.js';
import { safeText } from '../observe/text/escape.js';
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

/** Where `run` stands in argv when only global options come before it; -1 otherwise. */
function runIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === 'run') return i;
    if (a === '--root') i++;
    else if (!a?.startsWith('--root=')) return -1;
  }
  return -1;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const r = runIndex(argv);
    if (r >= 0) {
      // Loaded only for `run`: the daemon's modules cost the other commands start-up time.
      const { extractRoot, runCommand } = await import('./run.js');
      const { root } = extractRoot(argv.slice(0, r), '/');
      return await runCommand(argv.slice(r + 1), root);
    }
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has already printed its message. Asked-for help and --version exit 0; help printed
      // because no command was given (exit code 1 from commander) and every parse error are usage errors.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof OomguardError) {
      // Messages may quote process names: escape control characters, keeping the message's own line breaks.
      process.stderr.write(`oomguard: ${e.message.split('\n').map(safeText).join('\n')}\n`);
      return e.exitCode;
    }
    if (e instanceof Error) {
      process.stderr.write(`oomguard: internal error: ${e.stack ?? e.message}\n`);
      return 70;
    }
    throw e;
  }
}
