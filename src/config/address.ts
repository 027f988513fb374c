// The listen address of the dashboard and /metrics server.

/** "HOST:PORT", "[IPv6]:PORT": a port from 0 to 65535 after the last colon. */
export function isListenAddress(value: string): boolean {
  const m = /^(\[[0-9a-fA-F:]+\]|[^\s:[\]]+):(\d{1,5})$/.exec(value);
  return m !== null && Number(m[2]) <= 65535;
}
