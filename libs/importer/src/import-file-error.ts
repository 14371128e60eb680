/**
 * A file the importer cannot read as a whole (unknown format, unreadable file, bad CSV header,
 * unknown time zone or type). Raised before any record is yielded, except for a CSV row so long
 * that a closing quote must be missing. The message is one line, fit for a terminal.
 */
export class ImportFileError extends Error {
  override readonly name = 'ImportFileError';

  constructor(message: string) {
    super(message.replace(/\s*[\r\n]+\s*/g, ' '));
  }
}
