#!/bin/busybox sh
# /init of the initramfs that runs `kexec-replay capture` on a real KHO kernel in qemu (tools/qemu-real-capture).
# Stage 1 (cold boot): kexec_file_load the same kernel (KHO adds its FDT and scratch to the image), then
# `capture --out /tmp/bundle`; stage 2 (after the kexec, a KHO-booted kernel): `capture` again (kho/in and the
# SETUP_KEXEC_KHO setup_data). Each stage's stdout and bundle (tar.gz, base64) go to ttyS1 between
# =====BEGIN stage=S name=N===== / =====END ... rc=R===== lines, as the shared capture scripts do.
/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev /tmp
/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
arg() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline; }
STAGE=$(arg capture_stage); [ -n "$STAGE" ] || STAGE=1
[ -c /dev/ttyS1 ] || mknod /dev/ttyS1 c 4 65
stty -F /dev/ttyS1 raw -echo -onlcr 115200 2>/dev/null
exec 3>/dev/ttyS1
emit() {
    name=$1; shift
    echo "=====BEGIN stage=$STAGE name=$name=====" >&3
    "$@" >&3 2>&1
    rc=$?
    echo "" >&3
    echo "=====END stage=$STAGE name=$name rc=$rc=====" >&3
}
capture() {
    t0=$(date +%s)
    node /kexec-replay.mjs capture --out /tmp/bundle > /tmp/capture-stdout.txt 2>&1
    echo "exit $? after $(( $(date +%s) - t0 )) s" >> /tmp/capture-stdout.txt
    emit capture-stdout cat /tmp/capture-stdout.txt
    emit b64:bundle.tar.gz sh -c "cd /tmp/bundle && tar cf - . | gzip | base64"
}
emit uname uname -a
emit node-version node --version
emit kcore-phdrs node /kcore-phdrs.mjs
if [ "$STAGE" = 1 ]; then
    NEWCMD="$(sed -e 's/ *capture_stage=[0-9]*//' /proc/cmdline) capture_stage=2"
    emit kexec-load /bin/kexec-file load /kexec/bzImage /kexec/initrd.cpio.gz "$NEWCMD"
    capture
    echo "=====KEXEC executing=====" >&3
    sync
    exec 3>&-
    /bin/kexec-file exec
    exec 3>/dev/ttyS1
    echo "=====KEXEC failed=====" >&3
else
    capture
fi
echo "=====DONE stage=$STAGE=====" >&3
exec 3>&-
sync
poweroff -f
