// Print /proc/kcore's program headers (type, p_offset, p_vaddr, p_paddr, p_filesz) and its VMCOREINFO note keys:
// what the guest kernel gives capture to locate physical pages. Run in the guest by init.sh.
import { openSync, readSync } from 'node:fs';
const fd = openSync('/proc/kcore', 'r');
const rd = (off, n) => {
  const b = Buffer.alloc(n);
  readSync(fd, b, 0, n, off);
  return b;
};
const eh = rd(0, 64);
const phoff = Number(eh.readBigUInt64LE(32));
const phnum = eh.readUInt16LE(56);
const hx = (v) => '0x' + v.toString(16);
for (let i = 0; i < phnum; i++) {
  const p = rd(phoff + i * 56, 56);
  const type = p.readUInt32LE(0);
  const f = (o) => p.readBigUInt64LE(o);
  console.log(
    `phdr[${i}] type ${type} offset ${hx(f(8))} vaddr ${hx(f(16))} paddr ${hx(f(24))} filesz ${hx(f(32))}`,
  );
  if (type === 4) {
    const notes = rd(Number(f(8)), Number(f(32)));
    const text = notes.toString('latin1');
    const i0 = text.indexOf('OSRELEASE=');
    if (i0 >= 0)
      console.log(
        text
          .slice(i0, text.indexOf('\0', i0))
          .split('\n')
          .filter((l) =>
            /^(OSRELEASE|PAGESIZE|NUMBER\(|KERNELOFFSET|SYMBOL\((init_top_pgt|page_offset_base|_stext)\))/.test(
              l,
            ),
          )
          .join('\n'),
      );
  }
}
