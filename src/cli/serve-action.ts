// oomguard serve, run: load the configuration, start the server, serve until SIGINT or SIGTERM.
import { existsSync } from 'node:fs';
import { DEFAULT_CONFIG_FILE } from '../config/defaults.js';
import { parseRunArgs } from '../config/flags.js';
import { loadConfig } from '../config/load.js';
import { readUserNames } from '../host/linux/passwd.js';
import { createRecentHistoryReader } from '../observe/history.js';
import { attachServer, parseListen } from '../observe/server.js';
import { DEFAULT_KILLS } from '../observe/state.js';
import { globalOptions, type HasGlobals, openHost, parseCgroupPath } from './context.js';
import type { ServeOptions } from './serve.js';

export async function serve(opts: ServeOptions, cmd: HasGlobals): Promise<void> {
  parseListen(opts.listen);
  const file = opts.config ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  const loaded = loadConfig({ ...(file === undefined ? {} : { file }), flags: parseRunArgs([]) });
  const config = {
    ...loaded,
    ranker: opts.policy ?? loaded.ranker,
    scopeCgroup: opts.cgroup === undefined ? loaded.scopeCgroup : parseCgroupPath(opts.cgroup),
  };
  const g = globalOptions(cmd);
  const host = openHost(g);
  const history = createRecentHistoryReader(opts.history, DEFAULT_KILLS);
  // A file that cannot be read (yet) leaves the kill table empty; memory and victims still show.
  const recordedKills = () => {
    try {
      return history().entries;
    } catch {
      return [];
    }
  };
  try {
    if (config.scopeCgroup !== null) host.readCgroup(config.scopeCgroup);
    const server = await attachServer({
      host,
      config,
      listen: opts.listen,
      recordedKills,
      users: readUserNames(g.root),
    });
    process.stdout.write(`oomguard: dashboard on ${server.url}, metrics on ${server.url}metrics\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
  } finally {
    host.close();
  }
}
