// Lines parseDmesg recognises and deliberately does not extract, each shape with the reason. Reviewed against
// every log in traces/: a line matching none of these and none of patterns.ts is a DMESG_UNKNOWN_LINE.
// Every entry is used: test/parsers/dmesg/ignored.test.ts fails on an entry that no real log (or, for shapes
// known from kernel source only, test/fixtures/dmesg/ignored-shapes.txt) exercises.
// Lines about the RAM layout that are not modelled stay off this list on purpose, so a report shows them.

export interface IgnoredShape {
  readonly re: RegExp;
  readonly reason: string;
}

/**
 * `tag: text` lines of subsystems that print nothing about the RAM layout, grouped by reason. The tag is the
 * text before the first `: `, digits folded to N (`hpet0` -> `hpetN`, `IOAPIC[0]` -> `IOAPIC[N]`).
 */
export const IGNORED_TAGS: ReadonlyArray<readonly [reason: string, tags: readonly string[]]> = [
  [
    'CPU, SMP, timers, interrupts and power: no RAM layout',
    [
      'xN/fpu',
      'xN/cpu',
      'smpboot',
      'smp',
      'tsc',
      'clocksource',
      'hpet',
      'hpetN',
      'sched_clock',
      'Spectre VN',
      'Speculative Store Bypass',
      'MDS',
      'MMIO Stale Data',
      'RETBleed',
      'Zenbleed',
      'ITS',
      'Speculative Return Stack Overflow',
      'microcode',
      'CPU features',
      'CPU',
      'CPUN',
      'cpuN',
      'CPU topo',
      'Performance Events',
      'RAPL PMU',
      'perf',
      'perf/amd_iommu',
      'amd_uncore',
      'hw perfevents',
      'cpuidle',
      'intel_idle',
      'intel_pstate',
      'amd_pstate',
      'CE',
      'SMP',
      'RCU',
      'xN',
      'Memory policy',
      'resctrl',
      'core',
      'traps',
      'Calgary',
      'fsl-mc MSI',
      'cpufreq',
      'NMI watchdog',
      'IOAPIC[N]',
      'APIC',
      'xNapic',
      '..TIMER',
      'NR_IRQS',
      'GIC',
      'GICvN',
      'arch_timer',
      'psci',
      'SMCCC',
      'riscv',
      'riscv-intc',
      'riscv-timer',
      'riscv-imsic',
      'riscv-pmu-sbi',
      'thermal_sys',
      'MCE',
      'mce',
      'RAS',
      'Timer migration',
      'pstate',
      'SVE',
      'alternatives',
      'cacheinfo',
      'hw-breakpoint',
      'sched',
      'rcu',
      'RCU Tasks',
      'Dynamic Preempt',
      'cblist_init_generic',
      'pid_max',
      'ENERGY_PERF_BIAS',
      'setup_percpu',
      'kvm_amd',
      'kvm',
      'kvm [N]',
      'intel_rapl_common',
      'mtrr',
      'MTRR map',
      'xN/PAT',
      'Kernel/User page tables isolation',
      'ACPI PPTT',
      'total RAM covered',
      'gran_size',
      'process',
      'IPvN',
    ],
  ],
  [
    'ACPI and firmware tables, DMI, EFI runtime services: addresses of tables, not the RAM map',
    [
      'ACPI',
      'ACPI Warning',
      'ACPI Error',
      'ACPI GTDT',
      'acpiphp',
      'HEST',
      'ERST',
      'GHES',
      'DMI',
      'efivars',
      'esrt',
      'EFI stub',
      'secureboot',
      'DMAR',
      'DMAR-IR',
      'AMD-Vi',
      'iommu',
      '[Firmware Bug]',
      '[Firmware Warn]',
      '[Firmware Info]',
      'optee',
      'scmi_core',
      'RTC time',
    ],
  ],
  [
    'PCI, USB, storage, network, input, graphics and other drivers: devices and MMIO, not RAM',
    [
      'PCI',
      'PNP',
      'pciehp',
      'pci_hotplug',
      'shpchp',
      'pnp',
      'usbcore',
      'usbhid',
      'usbserial',
      'hid',
      'hidraw',
      'input',
      'mousedev',
      'serio',
      'ehci_hcd',
      'ohci_hcd',
      'uhci_hcd',
      'ehci-pci',
      'ehci-platform',
      'ohci-pci',
      'ohci-platform',
      'ataN',
      'ataN.N',
      'scsiN',
      'sda',
      'loop',
      'loopN',
      'brd',
      'device-mapper',
      'raidN',
      'Serial',
      'serialN',
      'Console',
      'printk',
      'fbcon',
      'fb',
      'fbN',
      'efifb',
      'vesafb',
      'vgaarb',
      'AGP',
      '[drm] amdgpu',
      '[drm] GART',
      'amdgpu',
      'kfd kfd',
      'Bluetooth',
      'rfkill',
      'cfgN',
      'NET',
      'TCP',
      'RPC',
      'tun',
      'bridge',
      'ip_tables',
      'ipN_tables',
      'bpfilter',
      'vfio_pci',
      'EDAC MC',
      'EDAC sbridge',
      'EDAC amdN',
      'ipmi_si',
      'ipmi_ssif',
      'ipmi_platform',
      'iTCO_wdt',
      'iTCO_vendor_support',
      'softdog',
      'wmi',
      'lp',
      'ppdev',
      'gpio_ich',
      'lpc_ich',
      'sdhci',
      'sdhci-pltfm',
      'mmcN',
      'regulator',
      'pinctrl core',
      'clk',
      'libphy',
      'dwmacN',
      'eNe',
      'iNe',
      'rtcN',
      'ledtrig-cpu',
      'zram',
      'zramN',
      'cdrom',
      'srN',
      'Uniform CD-ROM driver Revision',
      'videodev',
      'mc',
      'mctp',
      'drop_monitor',
      'pps_core',
      'xor',
      'cryptd',
      'alg',
      'usb-storage',
      'pcie_mpN_amd',
      'lo',
      'vmbrN',
      'fwbrNiN',
      'virbrN',
      'bondN',
      'tapNiN',
      'fwprNpN',
      'fwlnNiN',
      'ADDRCONF(NETDEV_UP)',
      'ADDRCONF(NETDEV_CHANGE)',
      'mpls_gso',
      'platform microcode',
      'MVX dev',
      'PVR_K',
      'iNc_dev',
      'osal_readN:N',
      'osal_writeN:N',
      'iN',
      'nvmeNnN',
      'spacemit-pcie',
      'msm_serial',
      'vt handoff',
      'dN.serial',
      'amd_nb',
      'spN_tco',
    ],
  ],
  [
    'security, keys, audit, integrity: no RAM layout',
    [
      'LSM',
      'SELinux',
      'AppArmor',
      'Yama',
      'landlock',
      'integrity',
      'ima',
      'evm',
      'audit',
      'NetLabel',
      'ksign',
      'Magic number',
      'mem random',
      'random',
    ],
  ],
  [
    'filesystems, block layer and init: after memory init',
    [
      'VFS',
      'devtmpfs',
      'EXTN-fs (sdaN)',
      'EXTN-fs (nvmeNnNpN)',
      'EXTN-fs (dm-N)',
      'EXTN-fs (sdbN)',
      'EXTN-fs (sdcN)',
      'XFS (dm-N)',
      'XFS (nvmeNnNpN)',
      'FNFS-fs (nvmeNnNpN)',
      'squashfs',
      'fuse',
      'zfs',
      'ZFS',
      'spl',
      'zswap',
      'zbud',
      'workingset',
      'BFQ I/O-scheduler',
      'pstore',
      'Write protecting the kernel read-only data',
      'rodata_test',
      'dracut',
      'udev',
      'Freeing unused kernel image (initmem) memory',
      'readahead',
      'crash memory driver',
    ],
  ],
  [
    'memory-adjacent, derivable elsewhere or after boot (reviewed one by one)',
    [
      // percpu first chunk: its allocations are memblock_alloc lines under memblock=debug.
      'percpu',
      'pcpu-alloc',
      'PERCPU',
      // hugetlb pools: runtime allocations, not the early layout.
      'HugeTLB',
      // swiotlb and DMA atomic pools: memblock_alloc lines under memblock=debug.
      'DMA',
      'PCI-DMA',
      'software IO TLB',
      // zonelists and NUMA policy: orders zones, does not move them.
      'Policy zone',
      'Fallback order for Node N',
      'Demotion targets for Node N',
      'mempolicy',
      // hot-plug granularity of /sys/devices/system/memory (the node/ parser reads memory blocks).
      'xN/mm',
      // CPU-to-node affinity and memory attributes of HMAT: no ranges of RAM.
      'acpi/hmat',
      // kernel memory hardening and debug options.
      'mem auto-init',
      'kfence',
      'Checked W+X mappings',
      // PM: nosave regions are the e820 holes again.
      'PM',
    ],
  ],
];

/**
 * Shapes that are memory layout whatever their prefix (`ACPI: SRAT: Node ..`, `efi: mem..`, memblock), or a
 * table body line seen outside its table (`  Node 0: 0x..` of Movable zone start): never ignored.
 */
const MEMORY_HINT =
  /SRAT: Node \d|NUMA: Node \d|efi: mem\d|memblock_|MEMBLOCK|NODE_DATA\(|pages in unavailable ranges|^Node \d+: (?:0x[0-9a-f]+|\d+)$/;

const TAG_REASON = new Map<string, string>();
for (const [reason, tags] of IGNORED_TAGS) for (const t of tags) TAG_REASON.set(t, reason);

/** Untagged lines, each a shape and its reason. */
export const IGNORED: readonly IgnoredShape[] = [
  {
    re: /^(?:[A-Za-z][\w.+,-]* (?:(?=[\w.+,@-]*\d)[\w.:+,@-]+|[A-Z]{3,}\w*:\d\d|soc:\S+|\(null\))(?: [\w.-]+| \(unnamed net_device\) \(uninitialized\))?: |\d\d:\d\d: tty\w+ at )/,
    reason: 'device line (`<driver> <device>: `): devices and MMIO, not the RAM layout',
  },
  {
    re: /^[\w.-]+\[\d+\](?::| general protection | trap )/,
    reason: 'userspace process report (segfault, deprecated syscall): after boot',
  },
  {
    re: /^(?:Call [Tt]race:|<\/?TASK>|<\/?IRQ>|RIP: |Code: |Modules linked in:|Hardware name: |Tainted: |---\[ |-+\[ cut here \]-+|WARNING: |Kernel panic|Internal error|Mem abort info:|Data abort info:| {0,2}\? |\s*[\w.]+\+0x[0-9a-f]+\/0x[0-9a-f]+|(?:pc|lr) : |(?:[RE]?[A-Z0-9]{2,3}|x\d+|sp|CR\d|FS|CS|GS|DS|ES|PKRU|pstate) ?: +[0-9a-f]{4,}|(?:ESR|EC|SET|EA|FSC|ISV|CM|GCS) = )/,
    reason: 'oops, warning or backtrace text: register dumps and stack frames',
  },
  {
    re: /^(?:Built \d+ zonelists|Dentry cache|Inode-cache|Mount-cache|Mountpoint-cache|[\w -]+ hash table entries|futex hash table)/,
    reason: 'zonelist build and boot hash tables: sized from memory, allocated by memblock_alloc',
  },
  {
    re: /^(?:Freeing .*memory|Memory: .* freed|Adding \d+k swap)/,
    reason: 'memory freed or added after boot (init sections, initrd, swap)',
  },
  {
    re: /^(?:(?:e820: )?\[mem 0x[0-9a-f]+-0x[0-9a-f]+\] available for PCI devices|Allocating PCI resources starting at)/,
    reason: 'PCI gap above RAM, derived from e820',
  },
  {
    re: /^(?:found SMP MP-table at|RAMDISK: \[mem|ACPI: Reserving \w+ table memory at|e820: reserve RAM buffer|Reserving Intel graphics memory)/,
    reason: 'early reservation whose memblock_reserve line (memblock=debug) or iomem entry carries the range',
  },
  {
    re: /^(?:Using GB pages for direct mapping|init_memory_mapping: |kernel direct mapping tables|initial memory mapped|pmd_set_huge: )/,
    reason: 'direct-map page tables: mappings of RAM, not its layout',
  },
  {
    re: /^OF: reserved mem: initialized node \S+, compatible id /,
    reason:
      'a reserved-memory driver attached; the region is the `OF: reserved mem: 0x..` line, which is parsed',
  },
  {
    // drivers/base/arch_numa.c setup_node_data v5.x (arm64, riscv): the generic `Initmem setup node` line
    // printed later by free_area_init_node gives the same span and is the one parsed.
    re: /^NUMA: Initmem setup node \d+ \[mem 0x[0-9a-f]+-0x[0-9a-f]+\]$/,
    reason: 'arch NUMA copy of the Initmem setup line',
  },
  {
    re: /^(?:NUMA: Initialized distance table|No NUMA configuration found|SRAT: PXM \d+ -> )/,
    reason: 'NUMA distances and CPU affinity: no memory ranges',
  },
  {
    re: /^(?:efi: Not removing mem\d+|efi: memattr: |efi: EFI runtime memory map:|efi: (?:EFI v|UEFI not found|EFI Runtime)|efi: +[A-Za-z0-9.]+(?: [A-Za-z0-9.]+)*=0x[0-9a-f]+(?: +[A-Za-z0-9.]+(?: [A-Za-z0-9.]+)*=0x[0-9a-f]+)* *$|efi: More the[na] \d+ EFI boot service segments)/,
    reason: 'EFI runtime, memory attributes and config tables: the efi: mem lines carry the map',
  },
  {
    re: /^\s*(?:DMA|DMA32|Normal|HighMem|Movable) zone: \d+ pages/,
    reason: 'old free_area_init_core memmap accounting (2.6-4.x KERN_DEBUG), derivable from the zone spans',
  },
  {
    re: /^(?:\s*#\d+ \[[0-9a-f]+ - [0-9a-f]+\]|\(\d+ early reservations\) ==> bootmem|Bootmem setup node|\s*NODE_DATA \[[0-9a-f]+ - |\s*bootmap \[)/,
    reason: '2.6 early_res and bootmem allocator (replaced by memblock in 2.6.35): not replayed',
  },
  {
    re: /^(?:Initializing cgroup subsys|Booting paravirtualized kernel|Calibrating delay loop|Performance Events|Brought up \d+|Total of \d+ processors|.{0,4}\.\.\. node +#\d+, CPUs:|\.\.\.\. node|smpboot|x86: Booting SMP|\.\.\.)/,
    reason: 'CPU bring-up and boot progress',
  },
  {
    re: /^(?:Key type |Asymmetric key parser|Loaded X\.509 cert|Loading compiled-in (?:module )?X\.509|Initialise system trusted keyrings|Loading keyring|- (?:Added public key|User ID:)|Running certificate verification|Security Framework initialized|LSM support for eBPF|TOMOYO Linux initialized|Not activating Mandatory Access Control|Kernel is locked down|type=\d+ audit\(|ksign:|SELinux:)/,
    reason: 'keys, certificates, LSM and audit: no RAM layout',
  },
  {
    re: /^(?:Trampoline|Rude|Tracing) variant of Tasks RCU enabled|^(?:Hierarchical|Preemptible hierarchical) RCU|^RCU Tasks|^Callback from call_rcu_tasks|^Running RCU|^ftrace: |^kprobes: |^Unstable clock detected|^If you want to keep using the local clock|^"trace_clock=local"|^on the kernel command line$|^\*\*|^Lock dependency validator|^\.\.\. MAX_|^\.\.\. CHAINHASH|^\.\.\. CLASSHASH|^memory used (?:by lock dependency|for stack traces)|^per task-struct memory footprint|^Disabling lock debugging/,
    reason: 'RCU, tracing and lock-debugging banners: no RAM layout',
  },
  {
    re: /^(?:Run \/init as init process|Run \S+ as init process|with (?:arguments|environment):|\/\S*init$|Trying to unpack rootfs|Unpacking initramfs|Unknown kernel command line parameters|[\w.-]+=\S*$|(?:splash|rhgb|quiet)$|Booted with the nomodeset|Driver \w+ not loading because of nomodeset|(?:initcall|blacklisting initcall) \w+|Loading (?:Linux|initial ramdisk)|EFI stub: |Uncompressing Linux)/,
    reason: 'init process, command-line echo and boot loader text',
  },
  {
    re: /^(?:NX \(Execute Disable\) protection|SMBIOS [\d.]+ present|SMBIOS version|DMI present|DMI not present|SLUB: |Last level [id]TLB entries|signal: max sigframe|IPI shorthand broadcast|Linux agpgart interface|No AGP bridge found|Checking aperture|PCI host bridge to bus|Segment Routing with IPv6|In-situ OAM|mip6: |PTP clock support|io scheduler |Block layer SCSI generic|registered taskstats|SCSI subsystem initialized|libata version|Monitor-Mwait will be used|LVT offset \d+ assigned|BRK \[0x[0-9a-f]+, 0x[0-9a-f]+\] PGTABLE|alloc (?:irq_desc|kstat_irqs) for|alloc kstat_irqs on node|Initializing XFRM|kjournald starting|Switched APIC routing|Switching to clocksource|Estimated ratio of average max frequency|Bridge firewalling|Found optimal setting for mtrr|Non-volatile memory driver|EFI Variables Facility|nf_conntrack version|PPP generic driver|Registered efivars operations|Using ACPI \(MADT\)|HPET: \d+ timers|hpet clockevent registered|console \[\w+\] enabled|\\_SB_|_OSC|ACPI BIOS (?:Warning|Error)|ACPI FADT declares|Simple Boot Flag|msgmni has been set|TCP (?:reno|cubic) registered|Fixed MDIO Bus|mice: |Initalizing network drop monitor|Refined TSC clocksource|Fast TSC calibration|Detected [\d.]+ MHz processor|using mwait in idle|Setting APIC routing|NMI watchdog|Booting Node +\d+, Processors|sizeof\(\w+\)=\d+ bytes|bio: create slab|Extended CMOS year|nr_irqs_gsi|NR_IRQS:|NR_CPUS:|Microcode Update Driver|Ebtables|EISA bus registered|Intel\(R\) |Copyright\(c\)|Btrfs loaded|VFIO - User Level|Started bpfilter|KASLR (?:enabled|disabled)|earlycon: |Detected (?:VIPT|PIPT|AIVIVT) I-cache|HugeTLB registered|ITS(?:@0x[0-9a-f]+)?:? |SuperH \(H\)SCI\(F\)|AMD PMU driver|Speculative Store Bypass|Root IRQ handler|Remapping and enabling EFI services|\d+ pages in range for (?:non-)?PLT usage|ASID allocator|query_variable_info\(\) failed|reboot: |Booting Linux on physical CPU|Machine model: |SBI (?:specification|implementation|\w+ extension)|display class register|Advanced Linux Sound Architecture|ALSA device list|No soundcards found|CAN device driver interface|The list of certified hardware|atomic64_test: |\w+: device handler registered|page_owner is disabled|Initializing USB Mass Storage|USB Mass Storage support|pgcap uses obsolete|Phoenix BIOS detected|calibrate_delay_direct\(\)|Spurious LAPIC timer interrupt|System boots up not because|Configuring PCIe|Now int init_|waiting pll lock|PHY PLL Locked|\/soc\/\S+: Fixed dependency cycle|\S+: renamed from (?:eth|wlan)\d+|device \S+ (?:entered|left) promiscuous mode|(?:sd[a-z]|nvme\d+n\d+): ?(?:.*\S)?$|EFI services will not be available|\[drm\] |inno_\w+|dpu_parse_dt|Unable to assume _OSC|Unable to handle kernel|\[\d+\] user address|Xen: |Hypervisor detected|Kernel\/User page tables isolation|checking generic \(|allocated \d+ bytes of page_cgroup|please try 'cgroup_disable=memory')/,
    reason: 'driver and subsystem banners, CPU and firmware identification: no RAM layout',
  },
  {
    re: /^(?:MTRR (?:default type|fixed ranges|variable ranges|map)|[0-9A-F]{5}-[0-9A-F]{5} (?:write-back|write-protect|uncachable|write-combining)|\d+ base [0-9A-F]+ mask [0-9A-F]+ |\d+ disabled$|original variable MTRRs|New variable MTRRs|reg \d+, base: |x86 PAT enabled|\d[0-9a-f]* - [0-9a-f]+ page (?:\d+[MGk]|4k))/,
    reason: 'MTRR and PAT caching attributes: not the layout',
  },
  {
    re: /^(?:last_pfn = 0x[0-9a-f]+ max_arch_pfn|e820: last_pfn = |RAMDISK: [0-9a-f]+ - [0-9a-f]+|Placing \d+MB software IO TLB|software IO TLB at phys|\[[0-9a-f]+-[0-9a-f]+\] PMD -> \[[0-9a-f]+-[0-9a-f]+\] on node)/,
    reason:
      'memory-adjacent and derivable: max pfn (from e820), initrd and swiotlb placement (memblock_reserve lines), vmemmap PMD mapping',
  },
  {
    // One-offs reviewed in traces/public (x86 desktops and servers, riscv board): drivers and CPU banners.
    re: /^(?:AVX\d* version of gcm_enc\/dec|AES CTR mode|ARMH\w+:\d+: tty|RTL\w+-internal|Generic FE-GE Realtek PHY|ACPI Warning for|pci\d+:\d+: Requesting ACPI|sd[a-z]\d+(?: sd[a-z]\d+)*$|rfkill_gpio|SGI XFS with|IPMI message handler|ipmi device interface|AMD\d+ EDAC driver|AMD Address Translation Library|[0-9A-F]{5}-[0-9A-F]{5} write-through|Scanning (?:\d+ areas for low memory corruption|for low memory corruption every)|Base memory trampoline at|Build-time adjustment of leaf fanout|RCU restricting CPUs|FEATURE SPEC_CTRL|#\d+(?: +#\d+)*$|PCCT header not found|software IO TLB \[mem|Initialise system trusted keyring|fuse init|Allocating IMA MOK|i2c \/dev entries driver|BIOS EDD facility|EDD information not available|FUJITSU Extended Socket|\[TTM\] |pmem\d+m?: detected capacity change|audit_printk_skb|Netfilter messages via NETLINK|perf interrupt took too long|Secure boot disabled|TSC deadline timer available|BORE \(Burst-Oriented|(?:MDS|MMIO Stale Data) CPU bug present|RPL Segment Routing|memfd_create\(\) without|Creating \d+ MTD partitions|0x[0-9a-f]+-0x[0-9a-f]+ : "|(?:Intel|AMD|Hygon|Centaur|zhaoxin|Zhaoxin) (?:GenuineIntel|AuthenticAMD|HygonGenuine|CentaurHauls|\s+Shanghai\s+)$)/,
    reason: 'driver and CPU banners reviewed in the public traces: no RAM layout',
  },
  {
    re: /^(?:BIOS-provided physical RAM map|KERNEL supported cpus| {2}(?:Intel|AMD|Hygon|Centaur|zhaoxin|Zhaoxin) \w+)/,
    reason: 'headers and boot banners without values',
  },
];

/** Which entry of the lists ignores a message: a tag of IGNORED_TAGS or an index into IGNORED. */
export interface IgnoredMatch {
  readonly reason: string;
  readonly entry: { readonly tag: string } | { readonly shape: number };
}

export function findIgnored(message: string): IgnoredMatch | null {
  // Continuation lines are indented (`\tTrampoline variant ...`, `  9 disabled`): shapes are matched without it.
  const msg = message.trimStart();
  // A memory line in a shape patterns.ts does not know must stay unknown, never hide under its subsystem tag.
  if (MEMORY_HINT.test(msg)) return null;
  const colon = msg.indexOf(': ');
  if (colon > 0 && colon < 64) {
    const tag = msg.slice(0, colon).trim().replace(/\d+/g, 'N');
    const reason = TAG_REASON.get(tag);
    if (reason !== undefined) return { reason, entry: { tag } };
  }
  for (let i = 0; i < IGNORED.length; i++) {
    const s = IGNORED[i] as IgnoredShape;
    if (s.re.test(msg)) return { reason: s.reason, entry: { shape: i } };
  }
  return null;
}

/** The reason a message is ignored, or null when it is not on the lists. */
export function matchIgnored(message: string): string | null {
  return findIgnored(message)?.reason ?? null;
}
