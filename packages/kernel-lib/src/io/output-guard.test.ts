import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative } from 'path';

import { OutputPathError } from '../errors';
import { Volume } from '../volume';
import { confineToFolder, guardOutputs, open, write } from '.';

describe('guardOutputs: no output may be an input or another output of the same call', () => {
  let dir: string;
  const at = (...names: string[]) => join(dir, ...names);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mdlma-guard-'));
    await write(at('scan.nii'), new Volume({ data: new Float32Array(64).fill(3), shape: [4, 4, 4] }));
    mkdirSync(at('a'));
    symlinkSync(at('scan.nii'), at('link.nii'));
    symlinkSync(dir, at('a', 'up'));
    linkSync(at('scan.nii'), at('hard.nii'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['the same name', () => at('scan.nii')],
    ['./ before it', () => `./${relative(process.cwd(), at('scan.nii'))}`],
    ['a/.. inside it', () => at('a', '..', 'scan.nii')],
    ['a symlink to the file', () => at('link.nii')],
    ['a symlinked folder above it', () => at('a', 'up', 'scan.nii')],
    ['a hard link to it', () => at('hard.nii')]
  ])('refuses an output that reaches the input through %s, naming both', async (_, out) => {
    const error = await guardOutputs({ '--out': out() }, { 'the input': at('scan.nii') }).catch(e => e);
    expect(error).toBeInstanceOf(OutputPathError);
    expect(error.message).toContain(`--out ${out()} resolves to the input ${at('scan.nii')}: refusing to overwrite an input`);
    expect(error.parameter).toBe('--out');
  });

  it('refuses two outputs that are one file, even before either exists', async () => {
    const error = await guardOutputs({ '--out': at('new', 'labels.nii'), '--confidence': at('new', '.', 'labels.nii') }).catch(e => e);
    expect(error).toBeInstanceOf(OutputPathError);
    expect(error.message).toMatch(/--confidence .* resolves to --out .*labels\.nii as well: two outputs cannot share a file/);
  });

  it('lets different files through: scan.nii.gz is not scan.nii, and unset outputs are skipped', async () => {
    await expect(guardOutputs({ '--out': at('scan.nii.gz'), '--agreement': undefined, '--metrics': at('m.json') }, { 'the input': at('scan.nii'), '--truth': undefined })).resolves.toBeUndefined();
  });

  it('keeps write() from copying a lazy source onto its own file: the bytes stay as they were', async () => {
    const before = readFileSync(at('scan.nii'));
    const source = await open(at('scan.nii'));
    try {
      await expect(write(at('link.nii'), source)).rejects.toThrow(OutputPathError);
    } finally {
      await source.close();
    }
    expect(readFileSync(at('scan.nii')).equals(before)).toBe(true);
  });
});

describe('confineToFolder: a path a browser names stays inside the working folder', () => {
  let root: string;
  let outside: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'mdlma-confine-'));
    outside = mkdtempSync(join(tmpdir(), 'mdlma-outside-'));
    symlinkSync(outside, join(root, 'escape'));
    writeFileSync(join(root, 'keep.txt'), 'x');
  });
  afterAll(() => [root, outside].forEach(d => rmSync(d, { recursive: true, force: true })));

  it('resolves relative paths inside it, also in folders that do not exist yet', async () => {
    expect(await confineToFolder(root, 'labels.nii.gz', 'path')).toBe(join(root, 'labels.nii.gz'));
    expect(await confineToFolder(root, 'sub/deeper/../labels.nii', 'path')).toBe(join(root, 'sub', 'labels.nii'));
  });

  it.each([
    ['an absolute path', () => join(outside, 'x.nii'), /is absolute/],
    ['.. out of it', () => '../x.nii', /leaves the working folder/],
    ['.. hidden in the middle', () => 'sub/../../x.nii', /leaves the working folder/],
    ['a symlinked folder that leads out', () => 'escape/x.nii', /through a symlink/],
    ['a missing folder under a symlink that leads out', () => 'escape/new/x.nii', /through a symlink/]
  ])('refuses %s with OutputPathError', async (_, path, reason) => {
    const error = await confineToFolder(root, path(), 'export-labels path').catch(e => e);
    expect(error).toBeInstanceOf(OutputPathError);
    expect(error.message).toMatch(reason);
    expect(error.message).toContain(`export-labels path ${path()}`);
  });
});
