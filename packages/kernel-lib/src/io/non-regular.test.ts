import { execFileSync } from 'child_process';
import { closeSync, constants, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { VolumeFormatError } from '../errors';
import { open, read, type VolumeFormat } from '.';

// A FIFO blocks whoever opens it for reading until a writer comes: without the check these reads never return, and
// the short timeouts below turn a hang into a failure.
describe('inputs that are not regular files are refused before they are opened', () => {
  let dir: string;
  const fifos: string[] = [];
  const fifo = (name: string) => {
    const path = join(dir, name);
    execFileSync('mkfifo', [path]);
    fifos.push(path);
    return path;
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mdlma-io-fifo-'));
  });
  afterAll(() => {
    // Release any reader still blocked in open() (only happens when the check is missing), so jest can exit.
    for (const path of fifos) {
      try {
        closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // no reader waiting
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('a FIFO named scan.nii: VolumeFormatError naming it, at once', async () => {
    const path = fifo('scan.nii');
    const error = await read(path).catch(e => e);
    expect(error).toBeInstanceOf(VolumeFormatError);
    expect(error.message).toBe(`${path}: is a FIFO (named pipe), not a regular file; refusing to read it (it could block or never end)`);
  }, 3000);

  it.each(['nifti', 'tiff', 'hdf5', 'raw'] as VolumeFormat[])('a FIFO opened as %s on purpose is refused too', async format => {
    const path = fifo(`forced.${format}`);
    if (format === 'raw') writeFileSync(`${path}.json`, JSON.stringify({ shape: [2, 2, 2], dtype: 'uint8' }));
    await expect(open(path, { format })).rejects.toThrow(new VolumeFormatError(path, 'is a FIFO (named pipe), not a regular file; refusing to read it (it could block or never end)'));
  }, 3000);

  it('a raw volume whose sidecar is a FIFO: refused, naming the sidecar', async () => {
    writeFileSync(join(dir, 'data.raw'), new Uint8Array(8));
    const sidecar = fifo('data.raw.json');
    await expect(open(join(dir, 'data.raw'), { format: 'raw' })).rejects.toThrow(`${sidecar}: is a FIFO (named pipe)`);
  }, 3000);

  it('a folder or a device read as a file: VolumeFormatError naming it', async () => {
    mkdirSync(join(dir, 'folder.nii'));
    await expect(open(join(dir, 'folder.nii'), { format: 'nifti' })).rejects.toThrow(`${join(dir, 'folder.nii')}: is a folder, not a regular file`);
    await expect(open('/dev/zero', { format: 'nifti' })).rejects.toThrow('/dev/zero: is a device, not a regular file');
  }, 3000);
});
