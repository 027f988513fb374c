// Reading a scenario file, with file-system errors turned into clear usage errors.
import { readFileSync } from 'node:fs';
import { UsageError } from '../model/errors.js';
import { parseScenario } from './parse.js';
import type { Scenario } from './scenario.js';

export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(e);
    throw new UsageError(`${file}: cannot read the scenario: ${reason}`);
  }
  return parseScenario(file, text);
}
