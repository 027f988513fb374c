// /proc/self/mounts: `source mountpoint fstype options dump pass`, with spaces, tabs, newlines and
// backslashes in names escaped as octal (`\040`). Only cgroup mounts matter here.
import type { CgroupLayout } from '../../../model/snapshot.js';

export interface CgroupMounts {
  readonly layout: CgroupLayout;
  /** Mount point of the v1 hierarchy holding the memory controller; null when none. */
  readonly v1Memory: string | null;
  /** Mount point of the cgroup2 (unified) hierarchy; null when none. */
  readonly cgroup2: string | null;
}

function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/**
 * Layout: 'v1' when only v1 hierarchies are mounted, 'hybrid' when v1 hierarchies and a cgroup2 mount
 * coexist, 'v2' for cgroup2 alone, 'none' for no cgroup mount. The first mount of a hierarchy wins.
 */
export function parseCgroupMounts(text: string): CgroupMounts {
  let anyV1 = false;
  let v1Memory: string | null = null;
  let cgroup2: string | null = null;
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const [, mountPoint, fsType, options] = fields;
    if (mountPoint === undefined || options === undefined) continue;
    if (fsType === 'cgroup') {
      anyV1 = true;
      if (v1Memory === null && options.split(',').includes('memory'))
        v1Memory = unescapeMountField(mountPoint);
    } else if (fsType === 'cgroup2' && cgroup2 === null) {
      cgroup2 = unescapeMountField(mountPoint);
    }
  }
  const layout: CgroupLayout = anyV1
    ? cgroup2 === null
      ? 'v1'
      : 'hybrid'
    : cgroup2 === null
      ? 'none'
      : 'v2';
  return { layout, v1Memory, cgroup2 };
}
