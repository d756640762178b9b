/**
 * I/O benchmark.
 *
 * 1. Read throughput per format: one volume (default 256 MiB of uint16, CT-like: smooth
 *    structure plus noise) written in each format, then read slab by slab through
 *    `open()` / `readSlab()`; MB/s of voxel data, and the ratio to a plain sequential `fs` read
 *    of the same voxel bytes (the raw file) measured in the same run. Both are warm-cache reads:
 *    we cannot drop the page cache without root, so the ratio measures our overhead, not the disk.
 * 2. Lazy reading of a volume larger than memory should allow: a raw volume of at least 4 GB
 *    (default 4.3 GB) generated into the temporary folder, read slab by slab with a checksum,
 *    peak RSS sampled after every slab and VmHWM from /proc/self/status; must stay under 1 GiB.
 *    Runs first, so that VmHWM is not raised by part 1. Its files are deleted afterwards.
 *
 * Environment: MDLMA_BENCH_TMP (folder for the generated files, default os.tmpdir()),
 * MDLMA_BENCH_BIG_GB (default 4.3), MDLMA_BENCH_FORMAT_MB (default 256).
 * Writes bench-results/io.json and bench-results/io.md at the repository root.
 *
 * @example
 * node build/bench/run.js io
 */
import { mkdtempSync, promises as fs, readFileSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { createWriter, open, write } from '../io';
import { Volume } from '../volume';
import { benchStamp, saveBenchResult, type BenchStamp } from './results';

/** Run the I/O benchmark; returns what it wrote to bench-results/io.json. */
export async function run(): Promise<object> {
  const stamp = benchStamp('io');
  const tmp = mkdtempSync(join(process.env.MDLMA_BENCH_TMP ?? tmpdir(), 'mdlma-bench-io-'));
  try {
    const big = await Private.bigVolume(tmp, Number(process.env.MDLMA_BENCH_BIG_GB ?? 4.3));
    const formats = await Private.formats(tmp, Number(process.env.MDLMA_BENCH_FORMAT_MB ?? 256));
    const result = { tmp, formats, big };
    await Private.save(stamp, result);
    return result;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

namespace Private {
  const MB = 1e6;
  const SLAB_BYTES = 64 * 1024 * 1024;

  /** CT-like uint16 voxels for slices z0..z1 of a [nz, ny, nx] volume: smooth structure plus noise. */
  export function fill(slab: Volume, z0: number): void {
    const [nz, ny, nx] = slab.shape;
    let seed = (z0 + 1) * 2654435761;
    let i = 0;
    for (let z = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        const base = 20000 + 8000 * Math.sin((y + z0 + z) / 37);
        for (let x = 0; x < nx; x++) {
          seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
          slab.data[i++] = base + 6000 * Math.cos(x / 23) + (seed >>> 24) * 8;
        }
      }
    }
  }

  function rssSampler() {
    let peak = process.memoryUsage().rss;
    return {
      sample: () => (peak = Math.max(peak, process.memoryUsage().rss)),
      get peak() {
        return peak;
      }
    };
  }

  function vmHWM(): number | null {
    try {
      const match = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
      return match ? Number(match[1]) * 1024 : null;
    } catch {
      return null;
    }
  }

  export async function bigVolume(tmp: string, gigabytes: number) {
    const ny = 1024;
    const nx = 1024;
    const nz = Math.ceil((gigabytes * 1e9) / (ny * nx * 2));
    const path = join(tmp, 'big.raw');
    const rss = rssSampler();
    const slabDepth = Math.max(1, Math.floor(SLAB_BYTES / (ny * nx * 2)));
    const slab = Volume.zeros([slabDepth, ny, nx], 'uint16', { spacing: [2.4, 2.4, 2.4] });
    console.log(`io: writing a ${((nz * ny * nx * 2) / 1e9).toFixed(2)} GB raw volume [${nz}, ${ny}, ${nx}] into ${tmp}`);
    let t = performance.now();
    const writer = await createWriter(path, { shape: [nz, ny, nx], dtype: 'uint16', spacing: [2.4, 2.4, 2.4], origin: [0, 0, 0] });
    let expected = 0;
    for (let z = 0; z < nz; z += slabDepth) {
      const part = z + slabDepth <= nz ? slab : slab.slab(0, nz - z);
      fill(part, z);
      expected = checksum(part.data, expected);
      await writer.writeSlab(z, part);
      rss.sample();
    }
    await writer.commit();
    const writeSeconds = (performance.now() - t) / 1000;
    console.log(`io: reading it back slab by slab through open()/readSlab()`);
    t = performance.now();
    const source = await open(path);
    let sum = 0;
    for (let z = 0; z < nz; z += slabDepth) {
      const part = await source.readSlab(z, Math.min(nz, z + slabDepth));
      sum = checksum(part.data, sum);
      rss.sample();
    }
    await source.close();
    const readSeconds = (performance.now() - t) / 1000;
    const bytes = statSync(path).size;
    rmSync(path, { force: true });
    rmSync(`${path}.json`, { force: true });
    const hwm = vmHWM();
    return {
      shape: [nz, ny, nx],
      dtype: 'uint16',
      gigabytes: +(bytes / 1e9).toFixed(3),
      slabSlices: slabDepth,
      writeMBps: +(bytes / MB / writeSeconds).toFixed(1),
      readMBps: +(bytes / MB / readSeconds).toFixed(1),
      checksumMatches: sum === expected,
      peakRssMB: +(rss.peak / MB).toFixed(1),
      vmHWMMB: hwm === null ? null : +(hwm / MB).toFixed(1),
      underOneGiB: Math.max(rss.peak, hwm ?? 0) < 1024 ** 3
    };
  }

  function checksum(data: ArrayLike<number>, sum: number): number {
    // A cheap order-sensitive checksum over a sample of voxels (every 97th).
    for (let i = 0; i < data.length; i += 97) sum = (Math.imul(sum, 31) + data[i]) >>> 0;
    return sum;
  }

  const FORMATS: Array<{ name: string; file: string; options?: write.IOptions }> = [
    { name: 'raw + sidecar', file: 'v.raw' },
    { name: 'NIfTI .nii', file: 'v.nii' },
    { name: 'NIfTI .nii.gz (level 1)', file: 'v.nii.gz' },
    { name: 'TIFF multi-page', file: 'v.tif' },
    { name: 'TIFF multi-page, Deflate', file: 'vd.tif', options: { tiff: { compression: 'deflate' } } },
    { name: 'TIFF folder', file: 'slices', options: { format: 'tiff-stack' } },
    { name: 'HDF5/NeXus (chunks 8x256x256)', file: 'v.h5' },
    { name: 'Zarr v3, uncompressed (chunks 32x256x256)', file: 'u.zarr', options: { zarr: { gzipLevel: 0 } } },
    { name: 'Zarr v3, gzip 1', file: 'v.zarr' },
    { name: 'Zarr v2, gzip 1', file: 'v2.zarr', options: { zarr: { version: 2 } } }
  ];

  export async function formats(tmp: string, megabytes: number) {
    const ny = 1024;
    const nx = 1024;
    const nz = Math.max(1, Math.round((megabytes * 1024 * 1024) / (ny * nx * 2)));
    const volume = Volume.zeros([nz, ny, nx], 'uint16', { spacing: [2.4, 2.4, 2.4] });
    fill(volume, 0);
    const voxelBytes = volume.byteLength;
    await write(join(tmp, 'v.raw'), volume);
    // Baselines: plain sequential fs reads of the same voxel bytes (the raw file), 64 MiB at a time, warm cache:
    // into fresh memory per read, as a slab read must return new memory (the like-for-like figure), and into one
    // reused buffer (the ceiling: no page faults on new memory).
    const baseline = await sequentialRead(join(tmp, 'v.raw'), true);
    const reused = await sequentialRead(join(tmp, 'v.raw'), false);
    const rows = [];
    for (const format of FORMATS) {
      const path = join(tmp, format.file);
      let t = performance.now();
      await write(path, volume, format.options);
      const writeSeconds = (performance.now() - t) / 1000;
      await readSlabs(path); // warm the page cache, as the baseline is
      t = performance.now();
      const ok = await readSlabs(path, volume);
      const seconds = (performance.now() - t) / 1000;
      const fileBytes = await sizeOf(path);
      const row = {
        format: format.name,
        fileMB: +(fileBytes / MB).toFixed(1),
        readMBps: +(voxelBytes / MB / seconds).toFixed(1),
        ratioToFsRead: +(baseline / seconds).toFixed(3),
        ratioToFsReadReusedBuffer: +(reused / seconds).toFixed(3),
        writeMBps: +(voxelBytes / MB / writeSeconds).toFixed(1),
        correct: ok
      };
      console.log(`io: ${row.format}: read ${row.readMBps} MB/s (x${row.ratioToFsRead} of fs read), write ${row.writeMBps} MB/s`);
      rows.push(row);
      if (format.file !== 'v.raw') await fs.rm(path, { recursive: true, force: true });
    }
    return {
      shape: [nz, ny, nx],
      dtype: 'uint16',
      voxelMB: +(voxelBytes / MB).toFixed(1),
      fsReadMBps: +(voxelBytes / MB / baseline).toFixed(1),
      fsReadReusedBufferMBps: +(voxelBytes / MB / reused).toFixed(1),
      rows
    };
  }

  async function sequentialRead(path: string, fresh: boolean): Promise<number> {
    await sequentialOnce(path, fresh);
    const t = performance.now();
    await sequentialOnce(path, fresh);
    return (performance.now() - t) / 1000;
  }

  async function sequentialOnce(path: string, fresh: boolean): Promise<void> {
    const handle = await fs.open(path, 'r');
    let buffer = new Uint8Array(SLAB_BYTES);
    let position = 0;
    for (;;) {
      if (fresh) buffer = new Uint8Array(SLAB_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (!bytesRead) break;
      position += bytesRead;
    }
    await handle.close();
  }

  /** Read a file slab by slab as users do (64 MiB slabs); compare with `expected` if given. */
  async function readSlabs(path: string, expected?: Volume): Promise<boolean> {
    const source = await open(path);
    const [nz, ny, nx] = source.shape;
    const depth = Math.max(1, Math.floor(SLAB_BYTES / (ny * nx * 2)));
    let ok = true;
    for (let z = 0; z < nz; z += depth) {
      const slab = await source.readSlab(z, Math.min(nz, z + depth));
      if (expected) {
        const want = expected.slab(z, Math.min(nz, z + depth)).data;
        ok &&= Buffer.from(slab.data.buffer, slab.data.byteOffset, slab.data.byteLength).equals(Buffer.from(want.buffer, want.byteOffset, want.byteLength));
      }
    }
    await source.close();
    return ok;
  }

  async function sizeOf(path: string): Promise<number> {
    const stat = await fs.stat(path);
    if (!stat.isDirectory()) return stat.size;
    let total = 0;
    for (const name of await fs.readdir(path)) total += await sizeOf(join(path, name));
    return total;
  }

  export async function save(stamp: BenchStamp, result: { tmp: string; formats: Awaited<ReturnType<typeof formats>>; big: Awaited<ReturnType<typeof bigVolume>> }): Promise<void> {
    const { formats: f, big } = result;
    const markdown = [
      '# I/O benchmark',
      '',
      `Temporary files in ${result.tmp}.`,
      '',
      `## Read throughput per format (${f.voxelMB} MB of uint16 voxels, shape [${f.shape.join(', ')}], slab by slab, warm page cache)`,
      '',
      `Plain sequential fs read of the same voxel bytes, 64 MiB at a time: **${f.fsReadMBps} MB/s** into fresh memory per read`,
      `(what a slab read must return; the ratio below is to this), ${f.fsReadReusedBufferMBps} MB/s into one reused buffer.`,
      '',
      '| format | file MB | read MB/s | ratio to fs read | ratio to fs read, reused buffer | write MB/s | voxels equal |',
      '|---|---:|---:|---:|---:|---:|---|',
      ...f.rows.map(r => `| ${r.format} | ${r.fileMB} | ${r.readMBps} | ${r.ratioToFsRead} | ${r.ratioToFsReadReusedBuffer} | ${r.writeMBps} | ${r.correct ? 'yes' : '**no**'} |`),
      '',
      `## Lazy slab reads of a ${big.gigabytes} GB raw volume [${big.shape.join(', ')}]`,
      '',
      `Slabs of ${big.slabSlices} slices; write ${big.writeMBps} MB/s, read ${big.readMBps} MB/s; checksum ${big.checksumMatches ? 'matches' : '**differs**'}.`,
      `Peak RSS (sampled per slab) **${big.peakRssMB} MB**, VmHWM ${big.vmHWMMB ?? 'n/a'} MB: ${big.underOneGiB ? 'under' : '**over**'} 1 GiB.`,
      ''
    ].join('\n');
    const headlines = [
      { label: 'read MB/s per format (ratio to a plain fs read)', value: f.rows.map(r => `${r.format} ${r.readMBps} (${r.ratioToFsRead})`).join(', ') },
      { label: `peak RSS reading a ${big.gigabytes} GB raw volume slab by slab`, value: `${big.peakRssMB} MB` }
    ];
    await saveBenchResult({ stamp, result, markdown, headlines });
  }
}
