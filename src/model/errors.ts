// Errors that reach a person: each carries the exit code the command line should end with.

/** A problem the user can fix (bad flag, bad file, missing directory): exit 2 by convention for usage. */
export class OomguardError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = 'OomguardError';
  }
}

/** The requested process does not exist (or vanished). */
export class NoSuchProcessError extends OomguardError {
  constructor(readonly pid: number) {
    super(`no such process: ${pid}`, 1);
    this.name = 'NoSuchProcessError';
  }
}

/** A file or directory the host needs could not be read. */
export class HostReadError extends OomguardError {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message, 1);
    this.name = 'HostReadError';
  }
}

/** Bad configuration or command-line usage: exit 2, nothing starts. */
export class UsageError extends OomguardError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}
