// Files a root daemon reads instructions from (its configuration) or runs (hooks) must not be changeable by
// anyone but root: a user who can edit the configuration decides whom oomguard kills, and a user who can
// replace a hook runs code as root. The same rule as sshd's StrictModes and sudo's sudoers check.
import { realpathSync, type Stats, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../model/errors.js';

const S_ISVTX = 0o1000;

function who(stats: Stats): string {
  return `uid ${stats.uid}`;
}

/** A file that is not there is a problem of its own, said plainly. */
const MISSING = 'no such file';

/**
 * Why `path` cannot be trusted by a process running as `uid`, or null: the file, and every directory on the
 * way to it (symbolic links resolved), must be owned by `uid` or root and not writable by group or others;
 * a directory writable by others is fine when it has the sticky bit and is owned by root (/tmp), since
 * others cannot then replace what they do not own.
 */
export function fileTrustProblem(path: string, uid: number): string | null {
  let real: string;
  try {
    real = realpathSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? MISSING : `cannot be checked (${code ?? String(e)})`;
  }
  const owners = new Set([0, uid]);
  const file = statSync(real);
  if (!owners.has(file.uid)) return `it is owned by ${who(file)}, not by root`;
  // Others first: the wider of the two is the one to report.
  if ((file.mode & 0o002) !== 0) return 'it is writable by every user';
  if ((file.mode & 0o020) !== 0) return `it is writable by its group (gid ${file.gid})`;
  for (let dir = dirname(real); ; dir = dirname(dir)) {
    const st = statSync(dir);
    const sticky = (st.mode & S_ISVTX) !== 0 && st.uid === 0;
    if (!owners.has(st.uid)) return `its directory ${dir} is owned by ${who(st)}, not by root`;
    if (!sticky && (st.mode & 0o002) !== 0) return `its directory ${dir} is writable by every user`;
    if (!sticky && (st.mode & 0o020) !== 0)
      return `its directory ${dir} is writable by its group (gid ${st.gid})`;
    if (dir === dirname(dir)) return null;
  }
}

/**
 * The check the daemon applies to its configuration file and hooks (`role` names which: "configuration
 * file", "pre-kill hook") when it runs as root: a UsageError that names the file, its role and the reason.
 * Running as another user, a file only that user can change is that user's own business.
 */
export function checkTrustedFile(path: string, role: string): void {
  const uid = process.geteuid?.() ?? 0;
  if (uid !== 0) return;
  const problem = fileTrustProblem(path, uid);
  if (problem === MISSING) throw new UsageError(`${path}: the ${role} does not exist`);
  if (problem !== null) {
    throw new UsageError(
      `${path}: refusing the ${role}: ${problem}; oomguard runs as root, so only root may be able to change it`,
    );
  }
}
