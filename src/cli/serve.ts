// oomguard serve: the dashboard and /metrics without the daemon. It samples the host itself every second and
// shows the kills the daemon recorded in its history file.
import { existsSync } from 'node:fs';
import { type Command, Option } from '@commander-js/extra-typings';
import { DEFAULT_CONFIG_FILE } from '../config/defaults.js';
import { parseRunArgs } from '../config/flags.js';
import { loadConfig } from '../config/load.js';
import { readUserNames } from '../host/linux/passwd.js';
import { createRecentHistoryReader, DEFAULT_HISTORY_FILE } from '../observe/history.js';
import { attachServer, DEFAULT_LISTEN, parseListen } from '../observe/server.js';
import { DEFAULT_KILLS } from '../observe/state.js';
import { globalOptions, openHost, parseCgroupPath } from './context.js';
import { RANKERS } from './rank.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the dashboard and Prometheus /metrics (loopback by default; read-only)')
    .option('--listen <addr>', 'HOST:PORT to listen on (port 0: any free port)', DEFAULT_LISTEN)
    .option('--config <file>', `the daemon's configuration, for its levels, scope and ranker`)
    .addOption(new Option('--policy <name>', 'ranker (default: the configuration’s)').choices(RANKERS))
    .option('--cgroup <path>', 'watch this memory cgroup instead of the configuration’s scope')
    .option('--history <file>', 'kill history written by oomguard run', DEFAULT_HISTORY_FILE)
    .action(async (opts, cmd) => {
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
    });
}
