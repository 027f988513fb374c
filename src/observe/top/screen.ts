// The escape sequences of the live view, plain ANSI/xterm: the alternate screen (so quitting leaves the
// terminal as it was), a hidden cursor, and whole-screen repaints without flicker.

export const ALT_SCREEN_ON = '\x1b[?1049h';
export const ALT_SCREEN_OFF = '\x1b[?1049l';
export const CURSOR_HIDE = '\x1b[?25l';
export const CURSOR_SHOW = '\x1b[?25h';

/** Entering the view: alternate screen first, so nothing is drawn over the user's scrollback. */
export const ENTER = `${ALT_SCREEN_ON}${CURSOR_HIDE}`;
/** Leaving it: the cursor back, then the main screen with its contents as they were. */
export const LEAVE = `${CURSOR_SHOW}${ALT_SCREEN_OFF}`;

/**
 * One full repaint: home, each line followed by erase-to-end-of-line, then erase below. Lines end in \r\n
 * because raw mode turns off the terminal's own newline translation.
 */
export function paint(lines: readonly string[]): string {
  return `\x1b[H${lines.map((l) => `${l}\x1b[K`).join('\r\n')}\x1b[J`;
}
