// oomguard postmortem [FILE|-]: decode the kernel's OOM reports in dmesg / journalctl -k output.
// Only the definition lives here: the parser and analyzer (postmortem-action.ts) load when `postmortem` runs.
import type { Command } from '@commander-js/extra-typings';
import { lazy } from './lazy.js';

const action = lazy(() => import('./postmortem-action.js'));

function postmortemCommand(program: Command) {
  return program
    .command('postmortem')
    .description("decode the kernel's OOM reports: who was killed and why, checked against oomguard's model")
    .argument(
      '[file]',
      'dmesg or journalctl -k output, "-" for standard input; without it the live kernel log',
    )
    .option('--json', 'print { source, reports: [...] } as JSON (see docs/postmortem.md)')
    .option(
      '--config <file>',
      'judge what oomguard would have done with this configuration file (default: built-in settings)',
    )
    .option(
      '--page-size <bytes>',
      'page size of the machine that wrote the log (default: inferred from the report, else 4096)',
    );
}

export type PostmortemOptions = ReturnType<ReturnType<typeof postmortemCommand>['opts']>;

export function registerPostmortem(program: Command): void {
  postmortemCommand(program).action(async (file, opts) => {
    await (await action()).postmortem(file, opts);
  });
}
