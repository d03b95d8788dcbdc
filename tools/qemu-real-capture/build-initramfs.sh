#!/bin/bash
# Builds $WORK/initramfs-capture-{base,kexec}.cpio.gz: busybox-static, kexec-file (from the shared capture
# scripts), this folder's init.sh, the node binary with the shared libraries it loads, and the single-file
# kexec-replay (scripts/build-single.mjs). The kexec image adds /kexec/bzImage and /kexec/initrd.cpio.gz (the base).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# the shared capture scripts sit next to the repository (../shared from the main checkout)
SHARED=${SHARED:-$(cd "$REPO/../shared/tools/kho-real-capture" 2>/dev/null || cd "$REPO/../../shared/tools/kho-real-capture"; pwd)}
WORK=${WORK:?set WORK}
KERNEL=${KERNEL:-$SHARED/kernel/bzImage-kho}
NODE=${NODE:-$(command -v node)}
mkdir -p "$WORK"
gcc -static -Os -Wall -o "$WORK/kexec-file" "$SHARED/kexec-file.c"
node "$REPO/scripts/build-single.mjs" --outfile "$WORK/kexec-replay.mjs"
R=$WORK/initramfs-capture-root
rm -rf "$R"; mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,kexec}
cp "$(command -v busybox)" "$R/bin/busybox"
cp "$HERE/init.sh" "$R/init"
cp "$WORK/kexec-file" "$R/bin/kexec-file"
cp "$WORK/kexec-replay.mjs" "$R/kexec-replay.mjs"
cp "$HERE/kcore-phdrs.mjs" "$R/kcore-phdrs.mjs"
cp "$NODE" "$R/usr/bin/node"
for lib in $(ldd "$NODE" | grep -o '/[^ ]*'); do mkdir -p "$R$(dirname "$lib")"; cp -L "$lib" "$R$lib"; done
chmod 755 "$R/init" "$R/bin/busybox" "$R/bin/kexec-file" "$R/usr/bin/node"
mknod -m 600 "$R/dev/console" c 5 1
mkcpio() { (cd "$1" && find . -print0 | sort -z | cpio --null -o -H newc --quiet --reproducible) | gzip -6n > "$2"; }
mkcpio "$R" "$WORK/initramfs-capture-base.cpio.gz"
cp "$KERNEL" "$R/kexec/bzImage"
cp "$WORK/initramfs-capture-base.cpio.gz" "$R/kexec/initrd.cpio.gz"
mkcpio "$R" "$WORK/initramfs-capture-kexec.cpio.gz"
ls -l "$WORK"/initramfs-capture-*.cpio.gz
