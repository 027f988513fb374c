// Reads a file a person named on the command line (a pod spec, a list of pods).
import { readFileSync } from 'node:fs';
import { HostReadError } from '../../model/errors.js';
import { errnoCode } from '../linux/file-reader.js';

/** The file's text; HostReadError naming the file and the errno when it cannot be read. */
export function readInputFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new HostReadError(`${path}: cannot read ${what}: ${errnoCode(error)}`, path);
  }
}
