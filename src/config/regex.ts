// Rule patterns are JavaScript RegExp sources, checked when the configuration loads.

/**
 * Text a pattern is tested against is cut to this many characters: a command line can be megabytes long,
 * and a cap bounds the cost of one test (backtracking patterns included) on the kill path.
 */
export const MAX_MATCH_INPUT = 4096;

/** Why the source is not a valid RegExp (V8's own reason), or null when it is. */
export function regexProblem(source: string): string | null {
  try {
    new RegExp(source);
    return null;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // V8 says "Invalid regular expression: /(/: Unterminated group"; the reason is the last part.
    const at = message.lastIndexOf(': ');
    return at >= 0 ? message.slice(at + 2) : message;
  }
}
