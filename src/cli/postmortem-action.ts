// oomguard postmortem, run: read the log, parse its OOM reports, judge each against the configuration.
import { readFileSync } from 'node:fs';
import { DEFAULT_CONFIG } from '../config/defaults.js';
import { loadConfig } from '../config/load.js';
import { readKernelLog } from '../host/linux/kernel-log.js';
import { OomguardError } from '../model/errors.js';
import { analyzeReport } from '../postmortem/analyze.js';
import { formatPostmortem } from '../postmortem/format.js';
import { parseOomReports } from '../postmortem/parse.js';
import { parsePositiveInt, writeJson } from './context.js';
import type { PostmortemOptions } from './postmortem.js';

export async function postmortem(file: string | undefined, opts: PostmortemOptions): Promise<void> {
  const pageSize = opts.pageSize === undefined ? undefined : parsePositiveInt('--page-size', opts.pageSize);
  const config =
    opts.config === undefined
      ? DEFAULT_CONFIG
      : loadConfig({
          file: opts.config,
          flags: { configFile: null, checkConfig: false, help: false, layer: {} },
        });
  const source = file === undefined ? 'the kernel log (dmesg)' : file === '-' ? 'standard input' : file;
  const text = file === undefined ? readKernelLog() : file === '-' ? await readStdin() : readLogFile(file);
  const reports = parseOomReports(text).map((r) =>
    analyzeReport(r, pageSize === undefined ? { config } : { config, pageSize }),
  );
  if (opts.json) writeJson({ source, reports });
  else if (reports.length > 0) process.stdout.write(`${reports.map(formatPostmortem).join('\n\n')}\n`);
  if (reports.length === 0) {
    const message = `no kernel OOM report in ${source} (no "invoked oom-killer" or "Killed process" line)\n`;
    (opts.json ? process.stderr : process.stdout).write(message);
  }
}

function readLogFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : String(e);
    throw new OomguardError(`cannot read ${path}: ${reason}`, 1);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
