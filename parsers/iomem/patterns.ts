// Line shapes of /proc/iomem (kernel/resource.c r_show(), 6.1): `%*s%0*llx-%0*llx : %s`.

/** indent, start, end (inclusive), name. */
export const IOMEM_LINE = /^( *)([0-9a-f]+)-([0-9a-f]+) : (.*)$/;

/** kernel/resource.c MAX_IORES_LEVEL: r_show() prints at most this many levels below the root. */
export const IOMEM_MAX_LEVEL = 5;

/** Resource names the host model reads (x86 e820 names from arch/x86/kernel/e820.c e820_type_to_string()). */
export const IOMEM_NAMES = {
  SYSTEM_RAM: 'System RAM',
  RESERVED: 'Reserved',
  SOFT_RESERVED: 'Soft Reserved',
  KMEM_RAM: 'System RAM (kmem)',
} as const;
