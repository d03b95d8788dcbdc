#!/bin/bash
# Boots the v7.3-rc7 KHO kernel of the shared capture scripts in qemu (TCG) on kho-a's layout (8 GiB, 2 NUMA nodes
# of 4 GiB, SLIT 10/21) with reserve_mem, runs `kexec-replay capture` before and after a KHO kexec (init.sh), and
# unpacks both bundles: $WORK/run/{console.txt,data.txt}, $OUT/stage1-cold-boot, $OUT/stage2-after-kexec.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# the shared capture scripts sit next to the repository (../shared from the main checkout)
SHARED=${SHARED:-$(cd "$REPO/../shared/tools/kho-real-capture" 2>/dev/null || cd "$REPO/../../shared/tools/kho-real-capture"; pwd)}
WORK=${WORK:?set WORK}
OUT=${OUT:?set OUT}
KERNEL=${KERNEL:-$SHARED/kernel/bzImage-kho}
TIMEOUT=${QEMU_TIMEOUT:-2400}
# no_timer_check: under TCG on a loaded host the IO-APIC timer check can fail and panic the boot ("IO-APIC + timer
# doesn't work"), as it did once here; it changes nothing in memory init
APPEND="console=ttyS0,115200 no_timer_check loglevel=8 memblock=debug mminit_loglevel=4 panic=-1 rdinit=/init kho=on reserve_mem=4M:4096:kho_rmem_i14 capture_stage=1"
RUN=$WORK/run; rm -rf "$RUN"; mkdir -p "$RUN"
CMD=(qemu-system-x86_64 -machine q35,accel=tcg -cpu max -smp 2 -m 8G
  -object memory-backend-ram,id=m0,size=4G -numa node,nodeid=0,memdev=m0,cpus=0
  -object memory-backend-ram,id=m1,size=4G -numa node,nodeid=1,memdev=m1,cpus=1
  -numa dist,src=0,dst=1,val=21
  -nodefaults -display none -vga none -no-reboot -monitor none
  -serial "file:$RUN/console.txt" -serial "file:$RUN/data.txt"
  -kernel "$KERNEL" -initrd "$WORK/initramfs-capture-kexec.cpio.gz" -append "$APPEND")
printf '%q ' "${CMD[@]}" > "$RUN/qemu-cmd.txt"; echo >> "$RUN/qemu-cmd.txt"
qemu-system-x86_64 --version | head -1 >> "$RUN/qemu-cmd.txt"
t0=$(date +%s)
timeout -k 10 "$TIMEOUT" "${CMD[@]}" > "$RUN/qemu-stdout.txt" 2> "$RUN/qemu-stderr.txt" || echo "qemu exit $?" >> "$RUN/qemu-cmd.txt"
echo "wall time $(( $(date +%s) - t0 )) s" >> "$RUN/qemu-cmd.txt"
python3 "$HERE/extract.py" "$RUN/data.txt" "$OUT"
