// The `replay --json` document (schema kexec-replay/replay/1): a contract, new keys may be added, none removed.
import type { Timeline } from '../sim/timeline.js';

export const REPLAY_SCHEMA = 'kexec-replay/replay/1';

export interface ReplayJsonZone {
  name: string;
  startPfn: number;
  spannedPages: number;
  presentPages: number;
  unavailablePages: number;
  managedPages: number;
  contiguous: boolean | null;
}

export interface ReplayJson {
  schema: typeof REPLAY_SCHEMA;
  bundle: string;
  arch: string;
  mmProfile: string;
  deferred: { on: boolean; reason: string };
  nodes: {
    nid: number;
    startPfn: number;
    endPfn: number;
    spannedPages: number;
    presentPages: number;
    firstDeferredPfn: number | null;
    deferredPages: number;
    zones: ReplayJsonZone[];
  }[];
  findings: {
    code: string;
    severity: string;
    phase: string;
    fn: string;
    pages: number;
    ranges: [number, number][];
    message: string;
  }[];
  phases: {
    name: string;
    initialised: number;
    reserved: number;
    freed: number;
    read: number;
    uninitTouched: number;
    noMemmapTouched: number;
    doubleInit: number;
    after: { memmap: number; init: number; uninit: number; reserved: number; buddy: number };
  }[];
  deferredWork: {
    nid: number;
    zone: string;
    firstDeferredPfn: number;
    pages: number;
    maxThreads: number;
    jobs: { start: number; size: number; nworks: number; chunk: number; pieces: number }[];
  }[];
  totalramPages: number;
  layout: { zoneLimitsFrom: string; zoneMovableFrom: string };
  diagnostics: { code: string; severity: string; message: string }[];
}

/** Zones with no spanned pages are left out. */
export function replayToJson(tl: Timeline, bundle: string): ReplayJson {
  return {
    schema: REPLAY_SCHEMA,
    bundle,
    arch: tl.arch.arch,
    mmProfile: tl.mm.name,
    deferred: { on: tl.deferred, reason: tl.deferredReason },
    nodes: tl.nodes.map((n) => ({
      nid: n.nid,
      startPfn: n.startPfn,
      endPfn: n.endPfn,
      spannedPages: n.spannedPages,
      presentPages: n.presentPages,
      firstDeferredPfn: n.firstDeferredPfn,
      deferredPages: n.deferredPages,
      zones: n.zones
        .filter((z) => z.spannedPages > 0)
        .map((z) => ({
          name: z.name,
          startPfn: z.startPfn,
          spannedPages: z.spannedPages,
          presentPages: z.presentPages,
          unavailablePages: z.unavailablePages,
          managedPages: z.managedPages,
          contiguous: z.contiguous,
        })),
    })),
    findings: tl.findings.map((f) => ({
      ...f,
      ranges: f.ranges.map(([s, e]) => [s, e] as [number, number]),
    })),
    phases: tl.phases.map((p) => ({
      name: p.name,
      initialised: p.initialised,
      reserved: p.reserved,
      freed: p.freed,
      read: p.read,
      uninitTouched: p.uninitTouched,
      noMemmapTouched: p.noMemmapTouched,
      doubleInit: p.doubleInit,
      after: {
        memmap: p.after.memmap,
        init: p.after.init,
        uninit: p.after.uninit,
        reserved: p.after.reserved,
        buddy: p.after.buddy,
      },
    })),
    deferredWork: tl.deferredWork.map((w) => ({
      nid: w.nid,
      zone: tl.nodes.find((n) => n.nid === w.nid)?.zones[w.zid]?.name ?? String(w.zid),
      firstDeferredPfn: w.firstDeferredPfn,
      pages: w.pages,
      maxThreads: w.maxThreads,
      jobs: w.jobs.map((j) => ({ ...j })),
    })),
    totalramPages: tl.totalramPages,
    layout: { zoneLimitsFrom: tl.layout.zoneLimitsFrom, zoneMovableFrom: tl.layout.zoneMovableFrom },
    diagnostics: tl.diagnostics.map((d) => ({ code: d.code, severity: d.severity, message: d.message })),
  };
}
