/**
 * Structural check of an OLE compound file ([MS-CFB]) before msgreader reads it.
 * msgreader follows sector chains and directory links without loop or bounds checks,
 * so a damaged download (a cycle in the FAT, a link into nowhere, a size larger than the
 * file) makes it spin until the worker runs out of memory. This walks every chain and
 * link msgreader will walk, the way msgreader walks them, and refuses the file if any
 * of them loops, leaves the file or is shorter than the data it claims to hold.
 */

export type CompoundFileCheck = { ok: true; rootNames: string[] } | { ok: false; problem: string };

const SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const END_OF_CHAIN = -2;
const NO_STREAM = -1;
const ENTRY_BYTES = 128;
const MINI_SECTOR_BYTES = 64;
const MINI_STREAM_CUTOFF = 4096;
const HEADER_FAT_SLOTS = 109;
const STORAGE = 1;
const STREAM = 2;
const ROOT = 5;

class Corrupt extends Error {}

interface Entry {
  index: number;
  name: string;
  type: number;
  left: number;
  right: number;
  child: number;
  start: number;
  size: number;
}

export function checkCompoundFile(bytes: Uint8Array): CompoundFileCheck {
  try {
    return { ok: true, rootNames: new CompoundFile(bytes).check() };
  } catch (error) {
    if (error instanceof Corrupt) return { ok: false, problem: error.message };
    throw error;
  }
}

class CompoundFile {
  private readonly view: DataView;
  private readonly sectorBytes: number;
  private readonly sectorCount: number;
  private readonly fat: number[] = [];
  private readonly miniFat: number[] = [];

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length < 512 || SIGNATURE.some((byte, i) => bytes[i] !== byte)) throw new Corrupt('it is not an OLE compound file (wrong signature)');
    // msgreader reads only this byte: 12 means 4096-byte sectors, anything else 512.
    const shift = bytes[30];
    if (shift !== 9 && shift !== 12) throw new Corrupt(`its sector shift ${shift} is neither 9 nor 12`);
    this.sectorBytes = 1 << shift;
    this.sectorCount = Math.floor((bytes.length - this.sectorBytes) / this.sectorBytes);
    if (this.sectorCount < 1) throw new Corrupt('it is shorter than one sector after the header');
    if (this.view.getUint16(32, true) !== 6) throw new Corrupt('its mini sectors are not 64 bytes');
    if (this.view.getUint32(56, true) !== MINI_STREAM_CUTOFF) throw new Corrupt('its mini stream cutoff is not 4096 bytes');
  }

  check(): string[] {
    this.readFat();
    this.readMiniFat();
    const entries = this.readDirectory();
    const root = entries[0];
    if (!root || root.type !== ROOT) throw new Corrupt('its first directory entry is not the root');
    const miniStream = this.chain(root.start, 'the mini stream');
    const reachable = this.walkTree(entries, root);
    for (const entry of reachable) if (entry.type === STREAM) this.checkStream(entry, miniStream.length);
    return this.childrenOf(entries, root).map((entry) => entry.name);
  }

  private int32(offset: number): number {
    if (offset < 0 || offset + 4 > this.bytes.length) throw new Corrupt(`it refers to byte ${offset}, beyond its end`);
    return this.view.getInt32(offset, true);
  }

  private headerCount(offset: number, what: string): number {
    const count = this.int32(offset);
    if (count < 0 || count > this.sectorCount) throw new Corrupt(`its header claims ${count} ${what} in a file of ${this.sectorCount} sectors`);
    return count;
  }

  private sectorOffset(sector: number): number {
    return (sector + 1) * this.sectorBytes;
  }

  private checkSector(sector: number, what: string): void {
    if (!Number.isInteger(sector) || sector < 0 || sector >= this.sectorCount) {
      throw new Corrupt(`${what} points to sector ${sector}, outside the file's ${this.sectorCount} sectors`);
    }
  }

  /** The FAT sector list, from the header's 109 slots and the DIFAT chain, as msgreader builds it. */
  private readFat(): void {
    const fatSectors = this.headerCount(0x2c, 'FAT sectors');
    const difatSectors = this.headerCount(0x48, 'DIFAT sectors');
    for (let i = 0; i < Math.min(fatSectors, HEADER_FAT_SLOTS); i++) {
      const sector = this.int32(0x4c + 4 * i);
      this.checkSector(sector, 'the header FAT list');
      this.fat.push(sector);
    }
    let remaining = fatSectors - this.fat.length;
    let difat = this.int32(0x44);
    const perDifat = this.sectorBytes / 4 - 1;
    for (let i = 0; i < difatSectors && remaining > 0; i++) {
      this.checkSector(difat, 'the DIFAT chain');
      const base = this.sectorOffset(difat);
      for (let j = 0; j < Math.min(remaining, perDifat); j++) {
        const sector = this.int32(base + 4 * j);
        if (sector === NO_STREAM || sector === END_OF_CHAIN) break;
        this.checkSector(sector, 'a DIFAT sector');
        this.fat.push(sector);
      }
      remaining -= perDifat;
      difat = this.int32(base + 4 * perDifat);
      if (difat === NO_STREAM || difat === END_OF_CHAIN) break;
    }
  }

  private readMiniFat(): void {
    const count = this.headerCount(0x40, 'mini FAT sectors');
    let sector = this.int32(0x3c);
    // msgreader stops at sector 0 as well as at the end of the chain.
    for (let i = 0; i < count && sector !== 0 && sector !== END_OF_CHAIN; i++) {
      this.checkSector(sector, 'the mini FAT chain');
      this.miniFat.push(sector);
      sector = this.next(sector, this.fat);
    }
  }

  /** Entry `sector` of a FAT whose sectors are `table`; past the table's end is the end of the chain. */
  private next(sector: number, table: number[]): number {
    const perBlock = this.sectorBytes / 4;
    const block = table[Math.floor(sector / perBlock)];
    if (block === undefined) return END_OF_CHAIN;
    return this.int32(this.sectorOffset(block) + 4 * (sector % perBlock));
  }

  private chain(start: number, what: string): number[] {
    const sectors: number[] = [];
    const seen = new Set<number>();
    for (let sector = start; sector !== END_OF_CHAIN; sector = this.next(sector, this.fat)) {
      this.checkSector(sector, what);
      if (seen.has(sector)) throw new Corrupt(`${what} loops back to sector ${sector}`);
      seen.add(sector);
      sectors.push(sector);
    }
    return sectors;
  }

  private miniChain(entry: Entry): number[] {
    const sectors: number[] = [];
    const seen = new Set<number>();
    for (let sector = entry.start; sector !== END_OF_CHAIN; sector = this.next(sector, this.miniFat)) {
      if (!Number.isInteger(sector) || sector < 0) throw new Corrupt(`stream "${entry.name}" points to mini sector ${sector}`);
      if (seen.has(sector)) throw new Corrupt(`stream "${entry.name}" loops back to mini sector ${sector}`);
      seen.add(sector);
      sectors.push(sector);
    }
    return sectors;
  }

  private readDirectory(): Entry[] {
    const entries: Entry[] = [];
    for (const sector of this.chain(this.int32(0x30), 'the directory')) {
      const base = this.sectorOffset(sector);
      for (let offset = base; offset + ENTRY_BYTES <= base + this.sectorBytes; offset += ENTRY_BYTES) {
        const nameBytes = this.view.getUint16(offset + 0x40, true);
        const name = nameBytes >= 2 && nameBytes <= 64 ? Buffer.from(this.bytes.subarray(offset, offset + nameBytes - 2)).toString('utf16le') : '';
        entries.push({
          index: entries.length,
          name,
          type: this.bytes[offset + 0x42]!,
          left: this.int32(offset + 0x44),
          right: this.int32(offset + 0x48),
          child: this.int32(offset + 0x4c),
          start: this.int32(offset + 0x74),
          size: this.int32(offset + 0x78),
        });
      }
    }
    return entries;
  }

  private link(entries: Entry[], index: number, from: Entry): Entry | undefined {
    if (index === NO_STREAM) return undefined;
    const entry = entries[index];
    if (!entry || (entry.type !== STORAGE && entry.type !== STREAM)) throw new Corrupt(`directory entry "${from.name}" links to entry ${index}, which is not a storage or stream`);
    return entry;
  }

  /** Every entry under `root`; each may be reached once, or msgreader would walk in circles. */
  private walkTree(entries: Entry[], root: Entry): Entry[] {
    const seen = new Set<number>([root.index]);
    const found: Entry[] = [];
    const pending: Entry[] = [root];
    while (pending.length > 0) {
      const parent = pending.pop()!;
      const siblings: Entry[] = [];
      const first = this.link(entries, parent.child, parent);
      if (first) siblings.push(first);
      while (siblings.length > 0) {
        const entry = siblings.pop()!;
        if (seen.has(entry.index)) throw new Corrupt(`directory entry "${entry.name}" is linked twice`);
        seen.add(entry.index);
        found.push(entry);
        if (entry.type === STORAGE) pending.push(entry);
        for (const index of [entry.left, entry.right]) {
          const sibling = this.link(entries, index, entry);
          if (sibling) siblings.push(sibling);
        }
      }
    }
    return found;
  }

  private childrenOf(entries: Entry[], parent: Entry): Entry[] {
    const children: Entry[] = [];
    const pending = parent.child === NO_STREAM ? [] : [entries[parent.child]!];
    while (pending.length > 0) {
      const entry = pending.pop()!;
      children.push(entry);
      for (const index of [entry.left, entry.right]) if (index !== NO_STREAM) pending.push(entries[index]!);
    }
    return children;
  }

  private checkStream(entry: Entry, miniStreamSectors: number): void {
    if (entry.size < 0 || entry.size > this.bytes.length) throw new Corrupt(`stream "${entry.name}" claims ${entry.size} bytes in a file of ${this.bytes.length}`);
    if (entry.size === 0) return;
    if (entry.size >= MINI_STREAM_CUTOFF) {
      const sectors = this.chain(entry.start, `stream "${entry.name}"`);
      if (sectors.length * this.sectorBytes < entry.size) throw new Corrupt(`stream "${entry.name}" claims ${entry.size} bytes but its chain holds ${sectors.length * this.sectorBytes}`);
      return;
    }
    const miniSectors = this.miniChain(entry);
    if (miniSectors.length * MINI_SECTOR_BYTES < entry.size) throw new Corrupt(`stream "${entry.name}" claims ${entry.size} bytes but its chain holds ${miniSectors.length * MINI_SECTOR_BYTES}`);
    const perSector = this.sectorBytes / MINI_SECTOR_BYTES;
    const beyond = miniSectors.find((sector) => Math.floor(sector / perSector) >= miniStreamSectors);
    if (beyond !== undefined) throw new Corrupt(`stream "${entry.name}" points to mini sector ${beyond}, beyond the mini stream`);
  }
}
