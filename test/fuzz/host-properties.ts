// LinuxHost over a fixture tree whose files were replaced by hostile or garbled text: sample() and
// readCgroup() either answer or throw HostReadError (the documented error), never anything else.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { LinuxHost } from '../../src/host/linux/linux-host.js';
import { HostReadError } from '../../src/model/errors.js';
import { REPO } from '../helpers/cli.js';
import { hostileText, keywordText } from './arbitraries.js';
import type { FuzzProperty } from './proc-properties.js';

const FIXTURE = join(REPO, 'test/fixtures/v2');

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile()) out.push(relative(FIXTURE, path));
  }
  return out;
}

/** Only documented errors: a HostReadError is an answer too. */
function documented(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof HostReadError, `not a HostReadError: ${(e as Error).stack}`);
  }
}

export const hostProperties: readonly FuzzProperty[] = [
  {
    name: 'LinuxHost: a tree with garbled /proc and cgroup files samples or throws HostReadError',
    check: (p) => {
      const files = filesUnder(FIXTURE).filter((f) => f !== 'proc/self');
      const content = fc.oneof(
        hostileText(10),
        keywordText(['some avg10=', 'MemTotal:', 'Uid:', '(', ')', ' kB', 'max', '0::/', 'cgroup2 '], 6),
        fc.constant(''),
      );
      const tree = mkdtempSync(join(tmpdir(), 'oomguard-fuzz-host-'));
      // Copied once; each case garbles some files and puts them back afterwards (a fresh copy is slow).
      cpSync(FIXTURE, tree, { recursive: true, verbatimSymlinks: true });
      const original = new Map(files.map((f) => [f, readFileSync(join(tree, f))]));
      try {
        fc.assert(
          fc.property(fc.array(fc.tuple(fc.constantFrom(...files), content), { maxLength: 6 }), (edits) => {
            for (const [file, text] of edits) writeFileSync(join(tree, file), text);
            try {
              documented(() => {
                const host = new LinuxHost({ root: tree });
                try {
                  documented(() => host.sample({ cgroupSubtree: '/', kernelOomScore: true }));
                  documented(() => host.readCgroup('/workload'));
                  documented(() => host.readCmdline(11));
                } finally {
                  host.close();
                }
              });
            } finally {
              for (const [file] of edits) writeFileSync(join(tree, file), original.get(file) ?? '');
            }
          }),
          { ...p, numRuns: Math.min(p.numRuns, 150) },
        );
      } finally {
        rmSync(tree, { recursive: true, force: true });
      }
    },
  },
];
