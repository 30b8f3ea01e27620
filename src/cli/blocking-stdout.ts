/**
 * Makes writes to a pipe block until the reader takes them. Node opens a piped stdout non-blocking: a write the pipe
 * cannot take at once is queued in memory, and a report streamed while the lint holds the event loop is then queued
 * whole (corpus ×20 piped into `cat`: 913 MB peak instead of 185 MB). Blocking, the report is held by the pipe's
 * buffer alone, as a native tool's is. Files and terminals are written synchronously already.
 */
export function blockingWrites(stream: NodeJS.WriteStream): void {
  const handle = (stream as unknown as { _handle?: { setBlocking?: (blocking: boolean) => number } })._handle;
  handle?.setBlocking?.(true);
}
