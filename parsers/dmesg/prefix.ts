// Splits one captured log line into its prefix (level, timestamp, journal host) and the kernel message.
// Formats: boot-pipeline.md 4.7 (kernel/printk/printk.c print_time/print_caller v6.1; util-linux dmesg -T/-H;
// /dev/kmsg records; journalctl short, short-monotonic, short-iso, short-precise).

/** How a record's time was printed. Only `monotonic` and `kmsg` give seconds since boot. */
export type TimestampKind =
  | 'monotonic' // `[    0.016476] `  (CONFIG_PRINTK_TIME, dmesg, serial console, journalctl -o short-monotonic)
  | 'kmsg' // `6,123,456789,-;msg`  (/dev/kmsg, dmesg -r of some versions)
  | 'wallclock' // `[Tue Jan 20 10:17:44 2026] ` (dmesg -T), `Mar 05 12:00:00 ` or ISO (journalctl)
  | 'relative' // `[Jun21 23:09] ` then `[  +0.000002] ` (dmesg -H / --reltime)
  | 'none';

export interface LinePrefix {
  readonly kind: TimestampKind;
  /** Seconds since boot, for `monotonic` and `kmsg` records. */
  readonly time?: number;
  /** Syslog level from `<6>` or the kmsg record, when printed. */
  readonly level?: number;
  /** 0-based index in the line where the kernel message starts. */
  readonly msgStart: number;
  /** True for a /dev/kmsg continuation (dictionary) line: ` SUBSYSTEM=pci`. */
  readonly kmsgDict?: boolean;
  /** journalctl -b record of a userspace identifier (`host systemd[1]: `), not a kernel message. */
  readonly userspace?: boolean;
  /**
   * journalctl -o verbose: the record's header line (`head`) or the name of one of its `    FIELD=value` lines;
   * for `MESSAGE` msgStart is the message. The caller keeps the record's SYSLOG_IDENTIFIER and
   * _SOURCE_MONOTONIC_TIMESTAMP (fieldValue) to tell kernel records and give them their time.
   */
  readonly journalField?: string;
  readonly fieldValue?: string;
}

const LEVEL = /<(\d{1,3})>/y;
const QUOTED = /^[\s>]+(?=<\d{1,3}>|\[[\s\d+-])/;
const KMSG = /^(\d{1,3}),(\d+),(\d+),[^;]*;/y;
// `[%5lu.%06lu]`, seconds grow past 5 columns; optional `[    T0]` caller field (CONFIG_PRINTK_CALLER).
const MONO = /\[\s*(\d+)\.(\d+)\](?:\[\s*[TC]\d+\])? ?/y;
const REL_DELTA = /\[\s*[+-]\s*\d+\.\d+\](?:\[\s*[TC]\d+\])? ?/y;
// dmesg -H header: `[Jun21 23:09]`, or with the weekday/seconds in some util-linux versions.
const REL_HEAD = /\[[A-Z][a-z]{2}\s?\d{1,2} \d{2}:\d{2}(?::\d{2})?\] ?/y;
// dmesg -T: `[Tue Jan 20 10:17:44 2026]` (ctime layout, day padded with a space).
const CTIME = /\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}\] ?/y;
// journalctl short / short-precise: `Mar 05 12:00:00 ` or `Mar 05 12:00:00.123456 `.
const JSHORT = /[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}(?:\.\d+)? /y;
// journalctl short-iso / short-iso-precise.
const JISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}) /y;
// dmesg -x / --decode: `kern  :info  : ` before the time.
const DECODE =
  /(?:kern|user|mail|daemon|auth|syslog|lpr|news|uucp|cron|authpriv|ftp|local\d) *: *(?:emerg|alert|crit|err|warn|notice|info|debug) *: /y;
// journalctl -o short-unix: `1709640000.123456 `.
const JUNIX = /\d{9,11}\.\d+ /y;
// journalctl host and identifier: `lit.home.arpa kernel: `, or a userspace one `host systemd[1]: `.
const JHOST = /[^\s:[\]]+ (?:(kernel)|[\w.@-]+\[\d+\]): /y;
// ChromeOS syslog (rsyslog template `%TIMESTAMP% %syslogseverity-text:::uppercase% %syslogtag%%msg%`): a severity
// word and the tag, no host: `2026-05-18T17:59:47.299506Z INFO kernel: [    0.004561] msg`, `INFO chrome: msg`.
const SEVERITY_TAG =
  /(?:EMERG|ALERT|CRIT|ERR|WARNING|NOTICE|INFO|DEBUG) (?:(kernel)|[\w.@/-]+(?:\[\d+\])?): /y;

// journalctl -o verbose: `Tue 2024-03-05 12:00:00.123456 UTC [s=..;i=..;b=..;m=..;t=..;x=..]`, then one
// `    FIELD=value` line per field of the record (systemd journalctl output_verbose).
const VERBOSE_HEAD = /^[A-Z][a-z]{2} \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)? \S+ \[s=[0-9a-f]+;/;
const VERBOSE_FIELD = /^ {4}(?<name>[A-Z_][A-Z0-9_]*)=/;

function stickyMatch(re: RegExp, s: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(s);
}

/** Parse the prefix of one line. Never throws; an unrecognised prefix is `none` with msgStart 0. */
export function splitPrefix(line: string): LinePrefix {
  let at = 0;
  let level: number | undefined;
  let kind: TimestampKind = 'none';
  let time: number | undefined;

  const c0 = line.charCodeAt(0);
  // Fast path, most lines of a kernel log: `[    0.016476] msg`.
  if (c0 === 0x5b /* [ */) {
    const m = stickyMatch(MONO, line, 0);
    if (m) {
      const time = Number(m[1]) + Number(`0.${m[2]}`);
      let at = m[0].length;
      const host = stickyMatch(JHOST, line, at);
      if (!host) return { kind: 'monotonic', time, msgStart: at };
      at += host[0].length;
      return host[1] === undefined
        ? { kind: 'monotonic', time, msgStart: at, userspace: true }
        : { kind: 'monotonic', time, msgStart: at };
    }
  }
  const kmsg = c0 >= 0x30 && c0 <= 0x39 ? stickyMatch(KMSG, line, 0) : null;
  if (kmsg) {
    const usec = Number(kmsg[3]);
    return { kind: 'kmsg', time: usec / 1e6, level: Number(kmsg[1]) & 7, msgStart: kmsg[0].length };
  }
  if (c0 === 0x20 && line.startsWith('    ')) {
    const f = VERBOSE_FIELD.exec(line);
    if (f) {
      const name = f.groups!['name'] as string;
      return {
        kind: name === 'MESSAGE' ? 'wallclock' : 'none',
        msgStart: f[0].length,
        journalField: name,
        fieldValue: line.slice(f[0].length),
      };
    }
  }
  if (c0 >= 0x41 && c0 <= 0x5a && VERBOSE_HEAD.test(line)) {
    return { kind: 'none', msgStart: 0, journalField: 'head' };
  }
  if (
    line.length > 0 &&
    line.charCodeAt(0) === 0x20 &&
    /^ [A-Z_]+=/.test(line) &&
    !/^ (memory|reserved)/.test(line)
  ) {
    // A /dev/kmsg dictionary line only follows a kmsg record; callers check that context.
    return { kind: 'none', msgStart: 0, kmsgDict: true };
  }
  // Logs quoted in mails (`> [    0.626479] ...`) or indented as a whole: skip the quote marks and indentation
  // when a level or a timestamp follows them.
  if (c0 === 0x20 || c0 === 0x09 || c0 === 0x3e /* > */) {
    const q = QUOTED.exec(line);
    if (q) at = q[0].length;
  }
  const dec = c0 >= 0x61 && c0 <= 0x7a ? stickyMatch(DECODE, line, at) : null;
  if (dec) at += dec[0].length;
  const lv = stickyMatch(LEVEL, line, at);
  if (lv) {
    level = Number(lv[1]) & 7;
    at += lv[0].length;
  }
  if (line.charCodeAt(at) === 0x5b /* [ */) {
    let m = stickyMatch(MONO, line, at);
    if (m) {
      kind = 'monotonic';
      time = Number(m[1]) + Number(`0.${m[2]}`);
    } else if ((m = stickyMatch(REL_DELTA, line, at)) || (m = stickyMatch(REL_HEAD, line, at))) {
      kind = 'relative';
    } else if ((m = stickyMatch(CTIME, line, at))) {
      kind = 'wallclock';
    }
    if (m) at += m[0].length;
  } else {
    const m = stickyMatch(JISO, line, at) ?? stickyMatch(JSHORT, line, at) ?? stickyMatch(JUNIX, line, at);
    if (m) {
      kind = 'wallclock';
      at += m[0].length;
    }
  }
  // Only after a timestamp: a bare `Loading kernel: ...` message must not lose its first word.
  const host = kind === 'none' ? null : (stickyMatch(SEVERITY_TAG, line, at) ?? stickyMatch(JHOST, line, at));
  let userspace = false;
  if (host) {
    at += host[0].length;
    userspace = host[1] === undefined;
    // syslog / kern.log / ChromeOS keep the printk time in the message: `host kernel: [    0.004551] msg`
    const mono = userspace ? null : stickyMatch(MONO, line, at);
    if (mono) {
      kind = 'monotonic';
      time = Number(mono[1]) + Number(`0.${mono[2]}`);
      at += mono[0].length;
    }
  }
  return {
    kind,
    msgStart: at,
    ...(time !== undefined && { time }),
    ...(level !== undefined && { level }),
    ...(userspace && { userspace }),
  };
}
