// The oomguard command line: parse, call the library, print. Errors end with a specific message and exit code.
import { OomguardError } from '../model/errors.js';
import { safeText } from '../observe/text/escape.js';
import { lazy } from './lazy.js';

const commands = lazy(() => import('./commands.js'));

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
    // Loaded only for the other commands: the daemon needs neither commander nor their definitions.
    return await (await commands()).parseCommandLine(argv);
  } catch (e) {
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
