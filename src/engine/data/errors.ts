// The error every bad dataset row becomes: it names the file, the line (and, for .json arrays, the
// element index inside the field path) and the field, in the `file:line: field: what was expected`
// form the CLI prints and exits 2 on (issue 2, "Files and rows").

export class DataError extends Error {
  override readonly name = 'DataError';

  /**
   * @param file   the data file as the user named it (relative to the config when possible)
   * @param line   1-based line where the row starts; 0 for problems with the file as a whole
   * @param field  the field path, e.g. `chosen`, `prompt[2].content`, `[14].rejected` ('' for the row)
   * @param detail what was expected (and what was found)
   */
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string,
    readonly detail: string,
  ) {
    super(formatDataError(file, line, field, detail));
  }
}

export function formatDataError(file: string, line: number, field: string, detail: string): string {
  const where = line > 0 ? `${file}:${line}` : file;
  return field ? `${where}: ${field}: ${detail}` : `${where}: ${detail}`;
}

/** Describes a JSON value's type for messages: `a string`, `an array`, `null`, ... */
export function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v === '' ? 'an empty string' : 'a string';
  if (v === undefined) return 'nothing (the field is missing)';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
