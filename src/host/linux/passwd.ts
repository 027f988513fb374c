// uid → user name from <root>/etc/passwd, for tables people read. Missing or odd files just yield no names.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function readUserNames(root: string): Map<number, string> {
  const names = new Map<number, string>();
  let text: string;
  try {
    text = readFileSync(join(root, 'etc/passwd'), 'utf8');
  } catch {
    return names;
  }
  for (const line of text.split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid && /^\d+$/.test(uid) && !names.has(Number(uid))) names.set(Number(uid), name);
  }
  return names;
}
