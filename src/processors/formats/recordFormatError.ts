/**
 * A record value that cannot be read in the source's format, or written in the sink's. Never
 * worth retrying: the processor sends the record to the DLQ with this message as the reason.
 */
export class RecordFormatError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RecordFormatError';
  }
}
