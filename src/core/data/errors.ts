/**
 * A problem with the user's data, worded for the user: the message is shown as is (no stack trace), and `file`
 * (when there is one) lets the editor point at the offending path.
 */
export class DataError extends Error {
  override readonly name = 'DataError';

  constructor(
    message: string,
    readonly file?: string,
    /** 1-based, for CSV problems. */
    readonly line?: number,
    /** 1-based, for CSV problems. */
    readonly column?: number,
  ) {
    super(message);
  }
}

/** Turns an fs error into a DataError; anything else passes through untouched. */
export function fsError(err: unknown, file: string, name = file): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new DataError(`file not found: ${name}`, file);
    case 'ENXIO':
      // opening a socket (or a pipe with no writer, for writing) fails this way
      return new DataError(`${name} is not a regular file`, file);
    case 'ELOOP':
      return new DataError(`cannot read ${name}: too many levels of symbolic links`, file);
    case 'ERR_BUFFER_TOO_LARGE':
    case 'ERR_STRING_TOO_LONG':
      return new DataError(`${name} is too large to read`, file);
    case 'EISDIR':
      return new DataError(`${name} is a directory, not a file`, file);
    case 'EACCES':
    case 'EPERM':
      return new DataError(`cannot read ${name}: permission denied`, file);
    default:
      return code ? new DataError(`cannot read ${name}: ${(err as Error).message}`, file) : err;
  }
}
