// Process names come from untrusted processes: a comm or cmdline may hold newlines, ANSI escapes or HTML.
// Everything shown to a person passes through here, so a process cannot forge a log line or repaint a terminal.

/** Replace control characters (C0, DEL, C1) with visible escapes: "\n" → "\\n", ESC → "\\x1b". */
export function safeText(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return s.replace(/[\u0000-\u001f\u007f-\u009f\\]/g, (c) => {
    if (c === '\\') return '\\\\';
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}
