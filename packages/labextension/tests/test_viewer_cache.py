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
