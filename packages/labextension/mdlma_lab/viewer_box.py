"""A box of a cached viewer layer: the volume viewer's full-resolution detail around the crosshair.

Cached layers are uncompressed NIfTI-1 files (kernel-lib display/viewer/cache.ts), x fastest, so a
box is a set of row segments at known offsets: read with seeks, without loading the file. The
answer is itself a NIfTI-1 file of the box, its affine moved to the box's first voxel, so that the
browser shows it like any other layer. Only little-endian single-file NIfTI-1 (what the cache
writes) is read.
"""
import struct

HEADER_BYTES = 348
VOX_OFFSET = 352
# Largest box served, in voxels: 2^27 (a 512^3 box; 256 MB of uint16), against mistakes, not load.
MAX_BOX_VOXELS = 2**27


class BoxError(ValueError):
    """A box outside the volume, malformed, too big, or a file that is not a cached layer."""


def parse_box(text):
    """'z0,z1,y0,y1,x0,x1' (half-open ranges, z-y-x order like @mdlma/kernel) as three (start, stop) pairs."""
    try:
        numbers = [int(part) for part in text.split(",")]
    except ValueError as error:
        raise BoxError(f"box must be six integers z0,z1,y0,y1,x0,x1, got {text!r}") from error
    if len(numbers) != 6:
        raise BoxError(f"box must be six integers z0,z1,y0,y1,x0,x1, got {text!r}")
    return [(numbers[0], numbers[1]), (numbers[2], numbers[3]), (numbers[4], numbers[5])]


def read_box(path, box):
    """The NIfTI-1 bytes of `box` ([(z0, z1), (y0, y1), (x0, x1)]) of the cached layer at `path`."""
    with open(path, "rb") as file:
        header = bytearray(file.read(HEADER_BYTES))
        if len(header) < HEADER_BYTES or struct.unpack_from("<i", header, 0)[0] != 348 or header[344:347] != b"n+1":
            raise BoxError("not a little-endian single-file NIfTI-1 layer")
        nx, ny, nz = struct.unpack_from("<3h", header, 42)
        bitpix = struct.unpack_from("<h", header, 72)[0]
        offset = int(struct.unpack_from("<f", header, 108)[0])
        item = bitpix // 8
        for (start, stop), size, axis in zip(box, (nz, ny, nx), "zyx"):
            if not 0 <= start < stop <= size:
                raise BoxError(f"{axis} range {start}:{stop} is not within 0:{size}")
        (z0, z1), (y0, y1), (x0, x1) = box
        voxels = (z1 - z0) * (y1 - y0) * (x1 - x0)
        if voxels > MAX_BOX_VOXELS:
            raise BoxError(f"box of {voxels} voxels exceeds {MAX_BOX_VOXELS}")
        out = bytearray(VOX_OFFSET + voxels * item)
        view = memoryview(out)
        row = (x1 - x0) * item
        at = VOX_OFFSET
        whole_rows = x0 == 0 and x1 == nx  # then a slab of each slice is one read
        for z in range(z0, z1):
            if whole_rows:
                file.seek(offset + (z * ny + y0) * nx * item)
                at += file.readinto(view[at : at + (y1 - y0) * row])
                continue
            for y in range(y0, y1):
                file.seek(offset + ((z * ny + y) * nx + x0) * item)
                at += file.readinto(view[at : at + row])
        if at != len(out):
            raise BoxError("the file is shorter than its header says")
    out[:HEADER_BYTES] = _box_header(header, box)
    return bytes(out)


def _box_header(header, box):
    """The layer's header for the box: its dims, and the affine's translation moved to the box's first voxel."""
    (z0, z1), (y0, y1), (x0, x1) = box
    header = bytearray(header)
    struct.pack_into("<3h", header, 42, x1 - x0, y1 - y0, z1 - z0)
    struct.pack_into("<f", header, 108, VOX_OFFSET)
    struct.pack_into("<h", header, 252, 0)  # qform_code: the sform alone places the box
    for row in range(3):
        at = 280 + 16 * row
        a, b, c, t = struct.unpack_from("<4f", header, at)
        struct.pack_into("<f", header, at + 12, t + a * x0 + b * y0 + c * z0)
    return bytes(header)
