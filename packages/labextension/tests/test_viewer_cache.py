"""/mdlma/api/viewer-cache/ serves the volume viewer's cached layers, and nothing else hidden."""
import requests

from conftest import TOKEN

AUTH = {"Authorization": f"token {TOKEN}"}
HASH = "0123456789abcdef0123456789abcdef"


def test_cached_layers_are_served_to_authenticated_users_only(server, server_root):
    cache = server_root / "study" / ".mdlma" / "cache"
    cache.mkdir(parents=True)
    (cache / f"{HASH}.nii").write_bytes(b"\x5c\x01" + bytes(350))
    url = server + f"mdlma/api/viewer-cache/study/.mdlma/cache/{HASH}.nii"
    response = requests.get(url, headers=AUTH, timeout=10)
    assert response.status_code == 200
    assert response.content[:2] == b"\x5c\x01"
    anonymous = requests.get(url, timeout=10, allow_redirects=False)
    assert anonymous.status_code in (302, 403), "without a token: refused or sent to the login page"
    # Jupyter's files API refuses the hidden folder: the reason this handler exists.
    assert requests.get(server + f"files/study/.mdlma/cache/{HASH}.nii", headers=AUTH, timeout=10).status_code == 404


def test_other_hidden_or_foreign_files_are_refused(server, server_root):
    (server_root / ".secret").mkdir(exist_ok=True)
    (server_root / ".secret" / "token.txt").write_text("no")
    hidden = server_root / ".hidden" / ".mdlma" / "cache"
    hidden.mkdir(parents=True, exist_ok=True)
    (hidden / f"{HASH}.nii").write_bytes(bytes(352))
    (server_root / "notes.nii").write_bytes(bytes(352))
    for path in [".secret/token.txt", f".hidden/.mdlma/cache/{HASH}.nii", "notes.nii", f"../{HASH}.nii"]:
        response = requests.get(server + f"mdlma/api/viewer-cache/{path}", headers=AUTH, timeout=10, allow_redirects=False)
        assert response.status_code in (400, 403, 404), path


def _layer(nz, ny, nx):
    """A cached layer as the kernel writes it: uint16 voxels numbered in file order, spacing 2.5 µm, origin (10, 20, 30)."""
    import struct

    header = bytearray(352)
    struct.pack_into("<i", header, 0, 348)
    struct.pack_into("<8h", header, 40, 3, nx, ny, nz, 1, 1, 1, 1)
    struct.pack_into("<2h", header, 70, 512, 16)
    struct.pack_into("<8f", header, 76, 1, 2.5, 2.5, 2.5, 1, 1, 1, 1)
    struct.pack_into("<f", header, 108, 352)
    struct.pack_into("<h", header, 254, 2)
    for row, origin in enumerate((30, 20, 10)):
        values = [0.0, 0.0, 0.0, float(origin)]
        values[row] = 2.5
        struct.pack_into("<4f", header, 280 + 16 * row, *values)
    header[344:348] = b"n+1\0"
    return bytes(header) + struct.pack(f"<{nz * ny * nx}H", *range(nz * ny * nx))


def test_a_box_of_a_cached_layer_is_a_nifti_of_those_voxels(server, server_root):
    import struct

    nz, ny, nx = 6, 7, 9
    cache = server_root / "boxes" / ".mdlma" / "cache"
    cache.mkdir(parents=True)
    (cache / f"{HASH}.nii").write_bytes(_layer(nz, ny, nx))
    url = server + f"mdlma/api/viewer-cache/boxes/.mdlma/cache/{HASH}.nii"
    for box in [(1, 4, 2, 6, 3, 8), (0, 6, 1, 3, 0, 9), (5, 6, 6, 7, 8, 9)]:
        z0, z1, y0, y1, x0, x1 = box
        response = requests.get(url, params={"box": ",".join(map(str, box))}, headers=AUTH, timeout=10)
        assert response.status_code == 200, response.text
        body = response.content
        assert struct.unpack_from("<3h", body, 42) == (x1 - x0, y1 - y0, z1 - z0)
        assert struct.unpack_from("<f", body, 108)[0] == 352
        voxels = struct.unpack_from(f"<{(z1 - z0) * (y1 - y0) * (x1 - x0)}H", body, 352)
        expected = [(z * ny + y) * nx + x for z in range(z0, z1) for y in range(y0, y1) for x in range(x0, x1)]
        assert list(voxels) == expected
        # The affine places the box's first voxel where it lies in the whole layer.
        assert [struct.unpack_from("<f", body, 280 + 16 * r + 12)[0] for r in range(3)] == [30 + 2.5 * x0, 20 + 2.5 * y0, 10 + 2.5 * z0]
    for bad in ["0,7,0,1,0,1", "2,2,0,1,0,1", "1,2,3", "a,b,c,d,e,f"]:
        assert requests.get(url, params={"box": bad}, headers=AUTH, timeout=10).status_code == 400, bad
    # The same refusals as for whole files: a box of a file that is not a cached layer is not served.
    (server_root / "notes.nii").write_bytes(_layer(2, 2, 2))
    assert requests.get(server + "mdlma/api/viewer-cache/notes.nii", params={"box": "0,1,0,1,0,1"}, headers=AUTH, timeout=10).status_code == 404
    assert requests.get(url, params={"box": "0,1,0,1,0,1"}, timeout=10, allow_redirects=False).status_code in (302, 403)
