"""A box of a cached viewer layer: the volume viewer's full-resolution detail around the crosshair.

Cached layers are uncompressed NIfTI-1 files (kernel-lib display/viewer/cache.ts), x fastest, so a
box is a set of row segments at known offsets: read with seeks, without loading the file. The
answer is itself a NIfTI-1 file of the box, its affine moved to the box's first voxel, so that the
browser shows it like any other layer. Only what the cache writes is read: little-endian
single-file NIfTI-1 of one of its four voxel types; any other header is refused before a voxel is
read. The voxels are read in chunks, so that the server holds one chunk per read, not the box.

    reader = BoxReader(path, parse_box("0,64,100,164,100,164"))
    with reader:
        send(reader.header)                      # reader.size bytes in all
        for chunk in reader.chunks():
            send(chunk)
"""
import math
import os
import re
import struct
from typing import NamedTuple

HEADER_BYTES = 348
VOX_OFFSET = 352
# NIfTI-1 datatype code -> bitpix: the pairs kernel-lib's nifti-bytes.ts writes (uint8, int16, float32, uint16).
CACHE_DATATYPES = {2: 8, 4: 16, 16: 32, 512: 16}
# Largest box answered, in voxel bytes. The viewer asks for at most cbrt(2^27 / 8) = 256 voxels a side
# (widgets' viewer/volume-renderer.ts: 64 MiB of float32); 256 MiB leaves 4x of that and bounds what one request
# costs in disk reads and in the browser, which holds the box whole. Server memory does not depend on
# it: the box is streamed in chunks.
MAX_BOX_BYTES = 256 * 2**20
# Voxels read per step: large enough that the per-chunk cost (a thread hop, a flush) is small, small
# enough that a read holds a few MiB.
CHUNK_BYTES = 4 * 2**20

BOX_TEXT = re.compile(r"[0-9]{1,9}(?:,[0-9]{1,9}){5}")


class BoxError(ValueError):
    """The `box` parameter is malformed, outside the volume or too big (the request is wrong: HTTP 400)."""


class LayerFileError(ValueError):
    """The file is not a layer as the cache writes it (the file is wrong: HTTP 422)."""


def parse_box(text):
    """'z0,z1,y0,y1,x0,x1' (half-open ranges, z-y-x order like @mdlma/kernel) as three (start, stop) pairs."""
    if not BOX_TEXT.fullmatch(text):
        raise BoxError(f"box must be six whole numbers z0,z1,y0,y1,x0,x1, got {text[:80]!r}")
    numbers = [int(part) for part in text.split(",")]
    return [(numbers[0], numbers[1]), (numbers[2], numbers[3]), (numbers[4], numbers[5])]


class BoxReader:
    """One box of one cached layer: the answer's `header` and `size` once opened, then its voxels by `chunks()`.

    Opening checks the header (LayerFileError) and the box against it (BoxError), and closes the
    file again when either fails.
    """

    def __init__(self, path, box, chunk_bytes=CHUNK_BYTES):
        self._file = open(path, "rb")
        try:
            self.layer = _read_layer(self._file)
            _check_box(box, self.layer)
        except BaseException:
            self._file.close()
            raise
        self.box = box
        self.header = _box_header(self.layer, box)
        self.size = VOX_OFFSET + _voxel_count(box) * self.layer.item
        self._chunk_bytes = chunk_bytes

    def chunks(self):
        """The box's voxels in file order, as bytes of at most `chunk_bytes` each."""
        buffer = bytearray(min(self._chunk_bytes, self.size - VOX_OFFSET))
        view = memoryview(buffer)
        filled = 0
        for start, length in _runs(self.layer, self.box):
            while length:
                take = min(length, len(buffer) - filled)
                self._file.seek(start)
                if self._file.readinto(view[filled : filled + take]) != take:
                    # The size was checked on opening; the cache replaces files by renaming, never in place.
                    raise LayerFileError("the file became shorter while it was read")
                filled, start, length = filled + take, start + take, length - take
                if filled == len(buffer):
                    yield bytes(buffer)
                    filled = 0
        if filled:
            yield bytes(view[:filled])

    def close(self):
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Layer(NamedTuple):
    """Where a cached layer's voxels lie, read from its header."""

    header: bytes  # the 348 header bytes
    shape: tuple  # (nz, ny, nx)
    item: int  # bytes per voxel
    offset: int  # where the voxels start


# Internals: header checks, the box's byte runs, the box's header.


def _read_layer(file):
    """The layer at `file`, its header checked field by field against what the cache writes."""
    header = file.read(HEADER_BYTES)
    if len(header) < HEADER_BYTES:
        raise LayerFileError(f"{len(header)} bytes: shorter than a NIfTI-1 header ({HEADER_BYTES})")
    sizeof_hdr = struct.unpack_from("<i", header, 0)[0]
    if sizeof_hdr != HEADER_BYTES or header[344:348] != b"n+1\0":
        raise LayerFileError("not a little-endian single-file NIfTI-1 layer (sizeof_hdr 348, magic 'n+1')")
    dim = struct.unpack_from("<8h", header, 40)
    if not 3 <= dim[0] <= 7 or any(d != 1 for d in dim[4 : dim[0] + 1]):
        raise LayerFileError(f"dim {list(dim)} is not a 3-D volume")
    nx, ny, nz = dim[1:4]
    if min(nx, ny, nz) <= 0:
        raise LayerFileError(f"dimensions {nx} x {ny} x {nz} must be positive")
    datatype, bitpix = struct.unpack_from("<2h", header, 70)
    if CACHE_DATATYPES.get(datatype) != bitpix:
        raise LayerFileError(
            f"datatype {datatype} with bitpix {bitpix} is not a type the viewer cache writes "
            f"(datatype: bitpix {CACHE_DATATYPES})"
        )
    vox_offset = struct.unpack_from("<f", header, 108)[0]
    if not math.isfinite(vox_offset) or vox_offset < VOX_OFFSET or vox_offset != int(vox_offset):
        raise LayerFileError(f"vox_offset {vox_offset} is not a whole number of bytes >= {VOX_OFFSET}")
    item, offset = bitpix // 8, int(vox_offset)
    needed = offset + nx * ny * nz * item
    size = os.fstat(file.fileno()).st_size
    if needed > size:
        raise LayerFileError(f"the header describes {needed} bytes, the file has {size}")
    return Layer(bytes(header), (nz, ny, nx), item, offset)


def _check_box(box, layer):
    """Raises BoxError unless `box` lies within the layer and within MAX_BOX_BYTES."""
    for (start, stop), size, axis in zip(box, layer.shape, "zyx"):
        if not 0 <= start < stop <= size:
            raise BoxError(f"box: {axis} range {start}:{stop} is not within 0:{size}")
    voxel_bytes = _voxel_count(box) * layer.item
    if voxel_bytes > MAX_BOX_BYTES:
        raise BoxError(f"box: {voxel_bytes} bytes of voxels exceeds the limit of {MAX_BOX_BYTES}")


def _voxel_count(box):
    """Voxels in `box`."""
    return math.prod(stop - start for start, stop in box)


def _runs(layer, box):
    """(file offset, length) of the box's contiguous stretches of the file, in order."""
    (z0, z1), (y0, y1), (x0, x1) = box
    nz, ny, nx = layer.shape
    item, offset = layer.item, layer.offset
    if x0 == 0 and x1 == nx:  # whole rows: the box's rows of a slice are one stretch
        if y0 == 0 and y1 == ny:  # whole slices: the box is one stretch
            yield offset + z0 * ny * nx * item, (z1 - z0) * ny * nx * item
            return
        for z in range(z0, z1):
            yield offset + (z * ny + y0) * nx * item, (y1 - y0) * nx * item
        return
    for z in range(z0, z1):
        for y in range(y0, y1):
            yield offset + ((z * ny + y) * nx + x0) * item, (x1 - x0) * item


def _box_header(layer, box):
    """The layer's header for the box: its dims, and the affine's translation moved to the box's first voxel."""
    (z0, z1), (y0, y1), (x0, x1) = box
    header = bytearray(VOX_OFFSET)  # the 348-byte header and an empty extension flag
    header[:HEADER_BYTES] = layer.header
    struct.pack_into("<3h", header, 42, x1 - x0, y1 - y0, z1 - z0)
    struct.pack_into("<f", header, 108, VOX_OFFSET)
    struct.pack_into("<h", header, 252, 0)  # qform_code: the sform alone places the box
    for row in range(3):
        at = 280 + 16 * row
        a, b, c, t = struct.unpack_from("<4f", header, at)
        try:
            struct.pack_into("<f", header, at + 12, t + a * x0 + b * y0 + c * z0)
        except OverflowError as error:  # only a crafted affine: the cache writes spacing and origin in µm
            raise LayerFileError(f"the affine's row {row} moved to the box does not fit a float32") from error
    return bytes(header)
