"""/mdlma/api/viewer-cache/ serves the volume viewer's cached layers, and nothing else hidden."""
import re
import select
import socket
import struct
import time

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


def _header(nz, ny, nx, datatype=512, bitpix=16, vox_offset=352.0, sizeof_hdr=348, dim0=3):
    """A cached layer's header as the kernel writes it (uint16 by default), spacing 2.5 µm, origin (10, 20, 30)."""
    header = bytearray(352)
    struct.pack_into("<i", header, 0, sizeof_hdr)
    struct.pack_into("<8h", header, 40, dim0, nx, ny, nz, 1, 1, 1, 1)
    struct.pack_into("<2h", header, 70, datatype, bitpix)
    struct.pack_into("<8f", header, 76, 1, 2.5, 2.5, 2.5, 1, 1, 1, 1)
    struct.pack_into("<f", header, 108, vox_offset)
    struct.pack_into("<h", header, 254, 2)
    for row, origin in enumerate((30, 20, 10)):
        values = [0.0, 0.0, 0.0, float(origin)]
        values[row] = 2.5
        struct.pack_into("<4f", header, 280 + 16 * row, *values)
    header[344:348] = b"n+1\0"
    return bytes(header)


def _layer(nz, ny, nx):
    """A cached uint16 layer whose voxels are numbered in file order."""
    return _header(nz, ny, nx) + struct.pack(f"<{nz * ny * nx}H", *range(nz * ny * nx))


def test_a_box_of_a_cached_layer_is_a_nifti_of_those_voxels(server, server_root):
    nz, ny, nx = 6, 7, 9
    cache = server_root / "boxes" / ".mdlma" / "cache"
    cache.mkdir(parents=True)
    (cache / f"{HASH}.nii").write_bytes(_layer(nz, ny, nx))
    url = server + f"mdlma/api/viewer-cache/boxes/.mdlma/cache/{HASH}.nii"
    for box in [(1, 4, 2, 6, 3, 8), (0, 6, 1, 3, 0, 9), (5, 6, 6, 7, 8, 9), (2, 5, 0, 7, 0, 9)]:
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


def test_a_nul_byte_in_the_path_is_refused_with_400(server):
    # Before: 500 (ValueError: embedded null byte from os.path.realpath).
    for path in ["study/.mdlma/cache/a%00b.nii", f"study/.mdlma/cache/{HASH}.nii%00", f"study%00/.mdlma/cache/{HASH}.nii"]:
        for params in [{}, {"box": "0,1,0,1,0,1"}]:
            response = requests.get(server + f"mdlma/api/viewer-cache/{path}", params=params, headers=AUTH, timeout=10)
            assert response.status_code == 400, (path, params, response.text)
            assert "NUL" in response.json()["message"]


def test_refusals_are_json_with_a_message(server):
    # Before: Jupyter's HTML error page, unlike every other /mdlma/api/ route.
    response = requests.get(server + "mdlma/api/viewer-cache/no/such.nii", headers=AUTH, timeout=10)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json")
    assert isinstance(response.json()["message"], str)


# (header fields, what the refusal names): headers the kernel's cache never writes.
CRAFTED_HEADERS = [
    ({"bitpix": 32767}, "bitpix 32767"),  # before: 400 here; a 512^3 box of it asked for 512 GiB (500)
    ({"bitpix": -16}, "bitpix -16"),  # before: 500
    ({"datatype": 64, "bitpix": 64}, "datatype 64"),  # float64: before served, 8 bytes a voxel
    ({"vox_offset": float("nan")}, "vox_offset nan"),  # before: 500
    ({"vox_offset": -100.0}, "vox_offset -100"),  # before: 500
    ({"vox_offset": 352.5}, "vox_offset 352.5"),
    ({"vox_offset": 100.0}, "vox_offset 100"),  # inside the header
    ({"sizeof_hdr": 0}, "sizeof_hdr"),
    ({"dim0": 9}, "3-D"),
]


def test_headers_the_cache_does_not_write_are_refused_with_422(server, server_root):
    cache = server_root / "crafted" / ".mdlma" / "cache"
    cache.mkdir(parents=True)
    for number, (fields, named) in enumerate(CRAFTED_HEADERS):
        name = f"{number:016x}"
        (cache / f"{name}.nii").write_bytes(_header(512, 512, 512, **fields) + bytes(1024))
        url = server + f"mdlma/api/viewer-cache/crafted/.mdlma/cache/{name}.nii"
        response = requests.get(url, params={"box": "0,8,0,8,0,8"}, headers=AUTH, timeout=10)
        assert response.status_code == 422, (fields, response.status_code, response.text)
        message = response.json()["message"]
        assert named in message and f"crafted/.mdlma/cache/{name}.nii" in message, (fields, message)
    for shape, named in [((0, 4, 4), "dimensions"), ((4, -1, 4), "dimensions"), ((512, 512, 512), "the file has")]:
        (cache / f"{'ab' * 8}.nii").write_bytes(_header(*shape) + bytes(1024))
        response = requests.get(server + f"mdlma/api/viewer-cache/crafted/.mdlma/cache/{'ab' * 8}.nii", params={"box": "0,1,0,1,0,1"}, headers=AUTH, timeout=10)
        assert response.status_code == 422 and named in response.json()["message"], (shape, response.text)


def _sparse_layer(path, shape, datatype=512, bitpix=16, marks=()):
    """A layer file of `shape` holding zeros except uint16 `marks` [((z, y, x), value)], sparse on disk."""
    nz, ny, nx = shape
    with open(path, "wb") as file:
        file.write(_header(nz, ny, nx, datatype=datatype, bitpix=bitpix))
        file.truncate(352 + nz * ny * nx * bitpix // 8)
        for (z, y, x), value in marks:
            file.seek(352 + ((z * ny + y) * nx + x) * 2)
            file.write(struct.pack("<H", value))


def test_a_box_over_the_byte_limit_is_refused_with_400(server, server_root):
    cache = server_root / "limit" / ".mdlma" / "cache"
    cache.mkdir(parents=True)
    _sparse_layer(cache / f"{HASH}.nii", (512, 512, 512), datatype=16, bitpix=32)  # float32: 512 MiB
    url = server + f"mdlma/api/viewer-cache/limit/.mdlma/cache/{HASH}.nii"
    # Before: served (2^27 voxels was the limit, whatever their size): 512 MiB in one answer.
    response = requests.get(url, params={"box": "0,512,0,512,0,512"}, headers=AUTH, timeout=30)
    assert response.status_code == 400 and "exceeds the limit" in response.json()["message"], response.text
    assert requests.get(url, params={"box": "0,2,0,2,0,2"}, headers=AUTH, timeout=30).status_code == 200


def _server_memory_mib(pid):
    """(resident now, peak resident) of a process, in MiB."""
    fields = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status"))
    return int(fields["VmRSS"].split()[0]) // 1024, int(fields["VmHWM"].split()[0]) // 1024


def _reset_peak_memory(pid):
    with open(f"/proc/{pid}/clear_refs", "w") as file:
        file.write("5")  # proc(5): resets the peak resident set size (VmHWM) to the current one


BIG = (512, 512, 512)  # uint16: 256 MiB, the largest box served
# Voxels on both sides of the 4 MiB chunks the server reads (2^21 uint16 voxels = 8 slices of 512 x 512).
MARKS = [((0, 0, 1), 11), ((7, 511, 510), 12), ((8, 0, 1), 13), ((255, 300, 200), 14), ((511, 511, 510), 15)]


def _big_layer(server_root):
    cache = server_root / "big" / ".mdlma" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    if not (cache / f"{HASH}.nii").exists():
        _sparse_layer(cache / f"{HASH}.nii", BIG, marks=MARKS)
    return f"big/.mdlma/cache/{HASH}.nii"


def test_a_large_box_is_streamed_without_holding_it_in_memory(isolated_server):
    path = _big_layer(isolated_server.root)
    pid = isolated_server.process.pid
    for box in [(0, 512, 0, 512, 0, 512), (0, 512, 0, 512, 1, 511)]:
        (z0, z1), (y0, y1), (x0, x1) = zip(box[::2], box[1::2])
        _reset_peak_memory(pid)
        before, _ = _server_memory_mib(pid)
        response = requests.get(
            isolated_server.base + f"mdlma/api/viewer-cache/{path}", params={"box": ",".join(map(str, box))},
            headers=AUTH, timeout=120, stream=True,
        )
        assert response.status_code == 200, response.text
        wanted = {
            352 + (((z - z0) * (y1 - y0) + y - y0) * (x1 - x0) + x - x0) * 2: value
            for (z, y, x), value in MARKS if x0 <= x < x1
        }
        found, at = {}, 0
        for chunk in response.iter_content(2**20):
            for offset in [o for o in wanted if at <= o < at + len(chunk) - 1]:
                found[offset] = struct.unpack_from("<H", chunk, offset - at)[0]
            at += len(chunk)
        assert at == 352 + (z1 - z0) * (y1 - y0) * (x1 - x0) * 2
        assert found == wanted, "each marked voxel where it lies in the box, across chunk boundaries"
        _, peak = _server_memory_mib(pid)
        # Before: 90 -> 602 MiB for the whole box (the box, a copy of it, and tornado's buffer).
        assert peak - before < 64, f"server memory {before} MiB before, peak {peak} MiB during a 256 MiB box"


def _send_box_request(server, path, box):
    """A socket that sent a box request and reads nothing yet: while unread, a big box's read stalls."""
    host, port = server.base.split("/")[2].split(":")
    connection = socket.create_connection((host, int(port)), timeout=30)
    connection.sendall(
        f"GET /user/test/mdlma/api/viewer-cache/{path}?box={box} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: token {TOKEN}\r\n\r\n".encode()
    )
    return connection


def _read_head(connection):
    """The status code and the answer's bytes: its head, and its body when that is short (an error)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536)
    head, _ = data.split(b"\r\n\r\n", 1)
    length = int(re.search(rb"Content-Length: (\d+)", head, re.IGNORECASE)[1])
    while length < 65536 and len(data) < len(head) + 4 + length:
        data += connection.recv(65536)
    return int(data.split(b" ", 2)[1]), data


def test_box_reads_wait_in_a_bounded_line_and_a_full_line_answers_503(isolated_server):
    path, whole = _big_layer(isolated_server.root), "0,512,0,512,0,512"
    running = [_send_box_request(isolated_server, path, whole) for _ in range(2)]
    # The two reads that run send their headers, then stall on the unread socket, holding their turn.
    assert [_read_head(c)[0] for c in running] == [200, 200]
    others = [_send_box_request(isolated_server, path, whole) for _ in range(17)]
    try:
        answered, deadline = {}, time.time() + 30
        while not answered and time.time() < deadline:
            for ready in select.select(others, [], [], 0.5)[0]:
                answered[ready] = _read_head(ready)
        time.sleep(1.0)  # a line shorter than 16 would refuse more than one, at once
        for ready in select.select(others, [], [], 0)[0]:
            answered.setdefault(ready, _read_head(ready))
        # Before: no bound; all 19 read their box at once, each held whole in server memory.
        assert [status for status, _ in answered.values()] == [503], "16 wait in line, the 17th is refused"
        head = next(iter(answered.values()))[1]
        assert b"Retry-After: 1" in head and b'"message": ' in head
    finally:
        for connection in running + others:
            connection.close()
    # Readers that went away give their turn back: the line moves again.
    deadline = time.time() + 30
    while True:
        response = requests.get(isolated_server.base + f"mdlma/api/viewer-cache/{path}", params={"box": "0,1,0,1,0,2"}, headers=AUTH, timeout=60)
        if response.status_code != 503 or time.time() > deadline:
            break
        time.sleep(0.2)
    assert response.status_code == 200 and len(response.content) == 352 + 4, response.text
