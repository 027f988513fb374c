// oomguard serve: the dashboard and /metrics without the daemon. It samples the host itself every second and
// shows the kills the daemon recorded in its history file.
// Only the definition lives here: the HTTP server and prom-client (serve-action.ts) load when `serve` runs.
import { type Command, Option } from '@commander-js/extra-typings';
import { DEFAULT_HISTORY_FILE } from '../observe/history.js';
import type { DEFAULT_LISTEN as SERVER_DEFAULT_LISTEN } from '../observe/server.js';
import { lazy } from './lazy.js';
import { RANKERS } from './rank.js';

const action = lazy(() => import('./serve-action.js'));

// The server's default, repeated so that --help need not load the server; the type makes tsc check they agree.
const DEFAULT_LISTEN: typeof SERVER_DEFAULT_LISTEN = '127.0.0.1:9707';

function serveCommand(program: Command) {
  return program
    .command('serve')
    .description('serve the dashboard and Prometheus /metrics (loopback by default; read-only)')
    .option('--listen <addr>', 'HOST:PORT to listen on (port 0: any free port)', DEFAULT_LISTEN)
    .option('--config <file>', `the daemon's configuration, for its levels, scope and ranker`)
    .addOption(new Option('--policy <name>', 'ranker (default: the configuration’s)').choices(RANKERS))
    .option('--cgroup <path>', 'watch this memory cgroup instead of the configuration’s scope')
    .option('--history <file>', 'kill history written by oomguard run', DEFAULT_HISTORY_FILE);
}

export type ServeOptions = ReturnType<ReturnType<typeof serveCommand>['opts']>;

export function registerServe(program: Command): void {
  serveCommand(program).action(async (opts, cmd) => {
    await (await action()).serve(opts, cmd);
  });
}
