// Every --json document is printed the same way: two-space indentation, one trailing newline, keys in the order
// the renderer built them (JSON.stringify(doc, null, 2) + '\n'). The schemas under schemas/ describe each document.
// The text is streamed (src/report/json-stream.ts): a document with millions of preserved blocks or finding ranges
// is never one string, and stdout is written no faster than its reader takes it.
import { escapeTerminalText } from '../core/index.js';
import { jsonChunks } from '../report/json-stream.js';
import type { CliContext } from './context.js';

/** 1 MiB of text per write: few enough writes for a GB-sized document, little enough held at a time. */
const CHUNK_CHARS = 1 << 20;

/**
 * Input text inside a JSON string (a node name, a log line) is escaped like every report's (src/cli/io.ts): here
 * per string, which gives the same bytes as escaping the whole text (JSON outside its strings is plain ASCII) and
 * spares a scan of every byte of a GB-sized document.
 */
const quote = (s: string): string => escapeTerminalText(JSON.stringify(s));

/**
 * How every --json text is written (printJson, and the writer thread of src/cli/json-thread.ts): one buffer for every
 * chunk of table rows, each chunk written (or decoded to a string) before the next is asked for.
 */
export const JSON_TEXT = { chunkChars: CHUNK_CHARS, quote, reuseBuffer: true } as const;

const decoder = new TextDecoder();

/** Print a --json document to stdout chunk by chunk; stops quietly when the reader has gone. */
export async function printJson(ctx: CliContext, doc: unknown): Promise<void> {
  const { output } = ctx;
  // (outChunk waits for the write)
  for (const chunk of jsonChunks(doc, JSON_TEXT)) {
    if (output.outChunk) {
      if (!(await output.outChunk(chunk))) return;
    } else output.out(typeof chunk === 'string' ? chunk : decoder.decode(chunk));
  }
  output.out('\n');
}
