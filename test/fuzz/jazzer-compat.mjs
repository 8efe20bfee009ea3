// Jazzer.js 4 ships its native addon (libFuzzer) prebuilt against glibc 2.38 and GCC 13's
// libstdc++. Debian 12 has glibc 2.36 and GCC 12, and the addon fails to load there on exactly
// three imports:
//   __isoc23_strtol, __isoc23_strtoul (GLIBC_2.38): the C23 strtol/strtoul, which differ from
//       the classic ones only in accepting a "0b" prefix; libFuzzer uses them to parse its flags;
//   _ZSt21ios_base_library_initv (GLIBCXX_3.4.32): never called, only referenced (GCC 13's
//       <iostream> emits `.globl` to pull in the library's stream initialisation, which on older
//       libstdc++ happens through ios_base::Init objects, e.g. Node's own).
// When (and only when) the addon does not load for that reason, this writes a copy beside it
// (dist/prebuilds/, which the addon's loader looks at first) whose import table names the
// classic functions (strtol, strtoul @GLIBC_2.2.5) and an existing, harmless libstdc++ symbol
// (std::get_new_handler @GLIBCXX_3.4.20) instead. The original file is left as it is.
//
// Usage: node test/fuzz/jazzer-compat.mjs   (prints what it did; exit 0 when jazzer loads)

import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';

const require = createRequire(import.meta.url);

/** Renamed imports: old name → [new name, new version]. */
const RENAME = new Map([
  ['__isoc23_strtol', ['strtol', 'GLIBC_2.2.5']],
  ['__isoc23_strtoul', ['strtoul', 'GLIBC_2.2.5']],
  ['_ZSt21ios_base_library_initv', ['_ZSt15get_new_handlerv', 'GLIBCXX_3.4.20']],
]);
/** Version requirements the renamed symbols used, and what they become. */
const REVERSION = new Map([
  ['GLIBC_2.38', 'GLIBC_2.2.5'],
  ['GLIBCXX_3.4.32', 'GLIBCXX_3.4.20'],
]);

function elfHash(name) {
  let h = 0;
  for (const c of Buffer.from(name, 'latin1')) {
    h = ((h << 4) + c) >>> 0;
    const g = h & 0xf0000000;
    if (g) h ^= g >>> 24;
    h &= ~g >>> 0;
  }
  return h >>> 0;
}

/** Patch an ELF64 little-endian shared object in memory; returns the number of changes. */
export function patchAddon(buf) {
  if (buf.readUInt32BE(0) !== 0x7f454c46 || buf[4] !== 2 || buf[5] !== 1) throw new Error('not an ELF64 LE file');
  const shoff = Number(buf.readBigUInt64LE(0x28));
  const shentsize = buf.readUInt16LE(0x3a);
  const shnum = buf.readUInt16LE(0x3c);
  const sections = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    sections.push({
      type: buf.readUInt32LE(o + 4),
      offset: Number(buf.readBigUInt64LE(o + 0x18)),
      size: Number(buf.readBigUInt64LE(o + 0x20)),
      link: buf.readUInt32LE(o + 0x28),
      entsize: Number(buf.readBigUInt64LE(o + 0x38)),
    });
  }
  const SHT_DYNSYM = 11;
  const SHT_GNU_VERNEED = 0x6ffffffe;
  const dynsym = sections.find((s) => s.type === SHT_DYNSYM);
  const verneed = sections.find((s) => s.type === SHT_GNU_VERNEED);
  if (!dynsym || !verneed) throw new Error('no dynamic symbol or version-needs section');
  const dynstr = sections[dynsym.link];
  const str = (off) => {
    const start = dynstr.offset + off;
    return buf.toString('latin1', start, buf.indexOf(0, start));
  };
  let changes = 0;
  // Version needs: collect every aux entry, then point the replaced ones at existing names.
  const aux = [];
  for (let vn = verneed.offset; ; ) {
    const cnt = buf.readUInt16LE(vn + 2);
    const auxOff = buf.readUInt32LE(vn + 8);
    const next = buf.readUInt32LE(vn + 12);
    for (let a = vn + auxOff, i = 0; i < cnt; i++) {
      aux.push({ at: a, name: str(buf.readUInt32LE(a + 8)), nameOff: buf.readUInt32LE(a + 8) });
      const an = buf.readUInt32LE(a + 12);
      if (an === 0) break;
      a += an;
    }
    if (next === 0) break;
    vn += next;
  }
  for (const entry of aux) {
    const target = REVERSION.get(entry.name);
    if (!target) continue;
    const existing = aux.find((x) => x.name === target);
    if (!existing) throw new Error(`no version string ${target} to reuse`);
    buf.writeUInt32LE(elfHash(target), entry.at); // vna_hash
    buf.writeUInt32LE(existing.nameOff, entry.at + 8); // vna_name
    changes++;
  }
  // Imported symbol names: overwrite in place (the new names are shorter).
  const count = dynsym.size / dynsym.entsize;
  for (let i = 0; i < count; i++) {
    const nameOff = buf.readUInt32LE(dynsym.offset + i * dynsym.entsize);
    const rename = RENAME.get(str(nameOff));
    if (!rename) continue;
    const [to] = rename;
    buf.write(to + '\0', dynstr.offset + nameOff, 'latin1');
    changes++;
  }
  return changes;
}

function loads(file) {
  try {
    execFileSync(process.execPath, ['-e', `require(${JSON.stringify(file)})`], { stdio: 'pipe' });
    return { ok: true };
  } catch (e) {
    return { ok: false, message: String(e.stderr ?? e.message) };
  }
}

export function ensureJazzerLoads() {
  const fuzzerDir = dirname(require.resolve('@jazzer.js/fuzzer/package.json'));
  const name = `fuzzer-${process.platform}-${process.arch}.node`;
  const original = join(fuzzerDir, 'prebuilds', name);
  const patched = join(fuzzerDir, 'dist', 'prebuilds', name);
  if (existsSync(patched)) {
    const r = loads(patched);
    if (r.ok) return `jazzer addon: using the compatibility copy ${patched}`;
    throw new Error(`jazzer addon: the compatibility copy does not load:\n${r.message}`);
  }
  const r = loads(original);
  if (r.ok) return 'jazzer addon: loads as shipped';
  if (!/GLIBC_2\.38|GLIBCXX_3\.4\.32/.test(r.message)) throw new Error(`jazzer addon does not load:\n${r.message}`);
  const buf = readFileSync(original);
  const n = patchAddon(buf);
  mkdirSync(dirname(patched), { recursive: true });
  writeFileSync(patched, buf);
  const again = loads(patched);
  if (!again.ok) throw new Error(`jazzer addon: patched copy (${n} changes) does not load either:\n${again.message}`);
  return `jazzer addon: wrote a compatibility copy for this glibc/libstdc++ (${n} changes): ${patched}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(ensureJazzerLoads());
}
