import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { VolumeNotFoundError } from '../errors';
import { temporaryName, writeAtomically, writeFileAtomically, writeFileAtomicallySync } from '.';

describe('atomic writes', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'mdlma-atomic-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names temporaries as hidden files beside the target', () => {
    const name = temporaryName(join(dir, 'run.json'));
    expect(name.startsWith(join(dir, '.run.json.'))).toBe(true);
    expect(name.endsWith('.tmp')).toBe(true);
    expect(temporaryName(join(dir, 'run.json'))).not.toBe(name);
  });

  it('writes a file whole, with exactly the mode asked for, and leaves nothing else', async () => {
    await writeFileAtomically(join(dir, 'secret.json'), '{"token": 1}', { mode: 0o600 });
    writeFileAtomicallySync(join(dir, 'sync.json'), 'x', { mode: 0o600 });
    expect(readFileSync(join(dir, 'secret.json'), 'utf8')).toBe('{"token": 1}');
    expect(statSync(join(dir, 'secret.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'sync.json')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['secret.json', 'sync.json']);
  });

  it('creates the folder only when asked; a missing folder is a VolumeNotFoundError', async () => {
    await expect(writeFileAtomically(join(dir, 'a', 'b.json'), 'x')).rejects.toThrow(VolumeNotFoundError);
    expect(() => writeFileAtomicallySync(join(dir, 'a', 'b.json'), 'x')).toThrow(VolumeNotFoundError);
    writeFileAtomicallySync(join(dir, 'a', 'b.json'), 'x', { createFolder: true });
    await writeFileAtomically(join(dir, 'c', 'd.json'), 'y', { createFolder: true });
    expect(readFileSync(join(dir, 'a', 'b.json'), 'utf8')).toBe('x');
    expect(readFileSync(join(dir, 'c', 'd.json'), 'utf8')).toBe('y');
  });

  it('removes the temporary when the write fails, and keeps the old file', async () => {
    await writeFileAtomically(join(dir, 'keep.json'), 'old');
    await expect(writeAtomically(join(dir, 'keep.json'), async () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
    expect(readFileSync(join(dir, 'keep.json'), 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['keep.json']);
  });

  it('never replaces a folder with a file', async () => {
    mkdirSync(join(dir, 'results.json'));
    await expect(writeFileAtomically(join(dir, 'results.json'), 'x')).rejects.toThrow();
    expect(() => writeFileAtomicallySync(join(dir, 'results.json'), 'x')).toThrow();
    expect(statSync(join(dir, 'results.json')).isDirectory()).toBe(true);
    expect(readdirSync(dir)).toEqual(['results.json']);
  });
});
