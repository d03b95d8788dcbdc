#!/usr/bin/env python3
"""Split the guest's ttyS1 stream (init.sh) into OUT/stage1-cold-boot and OUT/stage2-after-kexec: each stage's
bundle (the tar.gz kexec-replay capture wrote, unpacked unchanged) and its stdout (capture-stdout.txt).
usage: extract.py DATA.TXT OUT"""
import base64, io, os, re, sys, tarfile

data = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n")
out = sys.argv[2]
names = {"1": "stage1-cold-boot", "2": "stage2-after-kexec"}
for m in re.finditer(rb"=====BEGIN stage=(\d) name=([^=]+)=====\n(.*?)\n=====END stage=\1 name=\2 rc=(\d+)=====", data, re.S):
    stage, name, body, rc = m.group(1).decode(), m.group(2).decode(), m.group(3), m.group(4).decode()
    dest = os.path.join(out, names.get(stage, "stage" + stage))
    os.makedirs(dest, exist_ok=True)
    if name == "b64:bundle.tar.gz":
        raw = base64.b64decode(b"".join(body.split()))
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:gz") as t:
            t.extractall(dest, filter="data")
        print("stage %s: bundle %d bytes (tar.gz), rc %s" % (stage, len(raw), rc))
    else:
        open(os.path.join(dest, "capture-%s.txt" % name if name != "capture-stdout" else "capture-stdout.txt"), "wb").write(body + b"\n")
        print("stage %s: %s rc %s" % (stage, name, rc))
