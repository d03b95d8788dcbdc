// none: kernels 6.16-6.19 and KR1-KR3 (kernel/kexec_handover.c K616..K619, kernel/liveupdate KR3): nothing initialises preserved struct pages.
import type { KhoStrategy } from './strategy.js';

export const none: KhoStrategy = {
  name: 'none',
  source:
    'kernel/kexec_handover.c deserialize_bitmap (K616, K618) and kernel/liveupdate KR1-KR3: no KHO-specific struct page init',
  summary: 'no KHO-specific init; the kernels that forbid KHO with deferred init (and 6.16, which did not)',
  deserializeInit: 'before-order-write',
};
