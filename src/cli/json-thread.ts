// A --json document written to stdout by a thread of its own while the main thread is still making its later parts
// (compare: the strategies, replayed one after the other). The main thread posts the document's head with one
// member left to come (jsonLater, src/report/json-stream.ts) and then each element of that member as soon as it is
// ready; this thread writes the text in order, blocking on the pipe as its reader takes it, and waits for an element
// only when it gets to it. compare --json on the 8M-block bench host is 1.17 GB of text, which a pipe takes in ~2 s
// on our machines: written while the four strategies after the first are replayed, not after them.
//
// The text is exactly printJson()'s (src/cli/json.ts): the same writer (jsonChunks) with the same options
// (JSON_TEXT), the same final newline. Range lists go over as two typed columns (packJson), never as text or objects.
//
// The thread runs this same module: its own file under dist/, or the single-file build, whose entry then runs no
// CLI (scripts/build-single.mjs).
import fs from 'node:fs';
import net from 'node:net';
import {
  isMainThread,
  MessageChannel,
  parentPort,
  receiveMessageOnPort,
  Worker,
  workerData,
} from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { InternalError } from '../core/index.js';
import { jsonChunks, jsonLater, packJson, unpackJson } from '../report/json-stream.js';
import { JSON_TEXT } from './json.js';

const KIND = 'kexec-replay/json-thread';

/** Messages to the thread, in the order they are posted. */
type ToThread =
  | { readonly head: unknown; readonly key: string; readonly length: number }
  | { readonly i: number; readonly value: unknown };

/** The thread's one answer: the text is written (or the reader went away), or the writer failed. */
type FromThread =
  { readonly done: { readonly closed: boolean; readonly bytes: number } } | { readonly error: string };

/** What the main thread holds of a document being written by the thread. */
export interface LaterJson {
  /**
   * The document's members but one, `key`, an array of `length` elements to come by put(); the head is written at
   * once. Called once, before any put().
   */
  start(head: Readonly<Record<string, unknown>>, key: string, length: number): void;
  /** Element i of the array, in any order (the thread writes them in order). */
  put(i: number, value: unknown): void;
  /** Waits for the whole text and its newline to be written: false when the reader went away first. */
  finish(): Promise<boolean>;
  /** Stops the thread, the text unfinished (the command failed). */
  abort(): void;
  /** True once start() has run. */
  readonly started: boolean;
  /** True once the reader has gone: the rest need not be made. */
  readonly closed: boolean;
}

/**
 * The thread can run: this module is JavaScript (built), not the TypeScript a test runner loads, and
 * KEXEC_REPLAY_JSON_THREAD is not 0 (which writes every document on the main thread, after it is made).
 */
export function jsonThreadAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['KEXEC_REPLAY_JSON_THREAD'] !== '0' && !new URL(import.meta.url).pathname.endsWith('.ts');
}

/**
 * A thread that writes one document to `fd` (stdout). Started before the document's parts are made, so that its
 * start (loading this module) overlaps the work.
 */
export function startJsonThread(fd = 1): LaterJson {
  const { port1, port2 } = new MessageChannel();
  // [0]: messages posted (the thread waits on it), [1]: 1 once the reader has gone
  const signal = new Int32Array(new SharedArrayBuffer(8));
  const w = new Worker(new URL(import.meta.url), {
    workerData: {
      kind: KIND,
      port: port2,
      signal,
      fd,
      trace: process.env['KEXEC_REPLAY_JSON_THREAD'] === 'trace',
    },
    transferList: [port2],
  });
  let started = false;
  const post = (m: ToThread, transfer: ArrayBuffer[] = []): void => {
    port1.postMessage(m, transfer);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
  const answer = new Promise<FromThread>((resolve) => {
    w.once('message', resolve);
    w.once('error', (e: Error) => resolve({ error: e.message }));
    w.once('exit', (code) => resolve({ error: `the JSON writer thread stopped (exit code ${code})` }));
  });
  return {
    start(head, key, length) {
      if (started) throw new InternalError('a JSON document started twice on its writer thread');
      started = true;
      post({ head: packJson(head).value, key, length });
    },
    put(i, value) {
      if (Atomics.load(signal, 1) === 1) return;
      const p = packJson(value);
      post({ i, value: p.value }, p.transfer);
    },
    async finish() {
      const a = await answer;
      port1.close();
      await w.terminate();
      if ('error' in a) throw new InternalError(`writing the JSON document: ${a.error}`);
      return !a.done.closed;
    },
    abort() {
      port1.close();
      void w.terminate();
    },
    get started() {
      return started;
    },
    get closed() {
      return Atomics.load(signal, 1) === 1;
    },
  };
}

/**
 * Writes a chunk to `fd`, resolving once it is all written (the writer reuses a chunk's buffer for the next one).
 * A pipe or socket: a stream of this thread's own over the descriptor, whose writes wait for the reader without
 * spinning (the main thread has made the descriptor non-blocking by then: process.stdout). libuv never closes
 * descriptors 0-2, so the stream's end leaves stdout open. A file or terminal: written in place, a write the
 * descriptor refuses for now (EAGAIN) tried again a millisecond later.
 */
function writerOf(fd: number): (chunk: string | Uint8Array) => Promise<void> {
  const st = fs.fstatSync(fd);
  if (st.isFIFO() || st.isSocket()) {
    const sock = new net.Socket({ fd, readable: false, writable: true });
    // an error is reported to the write's callback (EPIPE: the reader went away)
    sock.on('error', () => {});
    return (chunk) =>
      new Promise<void>((resolve, reject) => void sock.write(chunk, (e) => (e ? reject(e) : resolve())));
  }
  const nap = new Int32Array(new SharedArrayBuffer(4));
  return (chunk) => {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let off = 0; off < b.length;) {
      try {
        off += fs.writeSync(fd, b, off, b.length - off);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        Atomics.wait(nap, 0, 0, 1);
      }
    }
    return Promise.resolve();
  };
}

/** The thread: the document's text, in order, each element waited for when the writer gets to it. */
async function threadMain(data: {
  port: MessagePort;
  signal: Int32Array;
  fd: number;
  trace: boolean;
}): Promise<void> {
  const { port, signal, fd } = data;
  const next = (): ToThread => {
    for (;;) {
      const seen = Atomics.load(signal, 0);
      const m = receiveMessageOnPort(port);
      if (m) return m.message as ToThread;
      Atomics.wait(signal, 0, seen);
    }
  };
  const parts = new Map<number, unknown>();
  const t0 = Date.now();
  const log: string[] = [];
  const get = (i: number): unknown => {
    if (data.trace) log.push(`want ${i} at ${Date.now() - t0} ms`);
    while (!parts.has(i)) {
      const m = next();
      if ('i' in m) parts.set(m.i, unpackJson(m.value));
      if (data.trace && 'i' in m) log.push(`got ${m.i} at ${Date.now() - t0} ms`);
    }
    const v = parts.get(i);
    parts.delete(i);
    return v;
  };
  let bytes = 0;
  const write = writerOf(fd);
  let answer: FromThread;
  try {
    const first = next();
    if (!('head' in first))
      throw new InternalError('the JSON writer thread got an element before its document');
    const doc = {
      ...(unpackJson(first.head) as Record<string, unknown>),
      [first.key]: jsonLater(first.length, get),
    };
    for (const chunk of jsonChunks(doc, JSON_TEXT)) {
      await write(chunk);
      bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    }
    await write('\n');
    answer = { done: { closed: false, bytes } };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EPIPE' || code === 'ECONNRESET') {
      Atomics.store(signal, 1, 1);
      answer = { done: { closed: true, bytes } };
    } else answer = { error: e instanceof Error ? e.message : String(e) };
  }
  // KEXEC_REPLAY_JSON_THREAD=trace: what this thread wrote (tests check that it wrote the text), and when it got
  // each element
  if (data.trace) {
    const what =
      'done' in answer && answer.done.closed
        ? `stopped: the reader went away after ${bytes} bytes`
        : `wrote ${bytes} bytes`;
    fs.writeSync(
      2,
      `kexec-replay: JSON writer thread ${what} (${log.join(', ')}, end at ${Date.now() - t0} ms)\n`,
    );
  }
  // the parent listens on the worker itself (w.once('message')), not on the channel
  parentPort!.postMessage(answer);
}

if (!isMainThread && (workerData as { kind?: string } | null)?.kind === KIND)
  void threadMain(workerData as Parameters<typeof threadMain>[0]);
