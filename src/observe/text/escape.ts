// Process names come from untrusted processes: a comm or cmdline may hold newlines, ANSI escapes or HTML.
// Everything shown to a person passes through here, so a process cannot forge a log line or repaint a terminal.

/**
 * Characters that are not control characters but still change how a line reads: line and paragraph
 * separators (editors, browsers and JavaScript-based viewers break lines there), bidirectional overrides,
 * embeddings, isolates and marks (they reverse the text around them, so "pid 123" can show as "321 dip"),
 * zero-width characters, the byte order mark, and the interlinear annotation marks.
 */
const INVISIBLE = '\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb';

// C0 controls, DEL, C1 controls, the backslash, and the invisible characters.
const UNSAFE_TEXT = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f\\\\${INVISIBLE}]`, 'g');
// JSON.stringify escapes C0 controls itself, but not DEL and the C1 controls (0x9b starts a CSI sequence).
const UNSAFE_IN_JSON = new RegExp(`[\\u007f-\\u009f${INVISIBLE}]`, 'g');

function hex(c: string, width: number): string {
  return (c.codePointAt(0) ?? 0).toString(16).padStart(width, '0');
}

/**
 * Replace control characters (C0, DEL, C1) and the invisible formatting characters above with visible
 * escapes: "\n" → "\\n", ESC → "\\x1b", U+202E → "\\u202e"; a backslash doubles so escapes stay unambiguous.
 */
export function safeText(s: string): string {
  return s.replace(UNSAFE_TEXT, (c) => {
    if (c === '\\') return '\\\\';
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    const code = c.charCodeAt(0);
    return code <= 0x9f ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`;
  });
}

/**
 * JSON.stringify, with DEL, the C1 controls and the invisible formatting characters written as \\uXXXX
 * escapes too: JSON escapes only the C0 controls and leaves the rest raw. The value parses back unchanged.
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE_IN_JSON, (c) => `\\u${hex(c, 4)}`);
}
