"""Every tutorial in examples/ runs on the MDLMA kernel and exports to HTML that still shows its figures.

The executed notebooks and their HTML land in .test-logs/notebooks/ (what CI keeps for readers).
"""
import base64
import json
import os
import re
import secrets
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
OUT = REPO / ".test-logs" / "notebooks"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))
VEGALITE = "application/vnd.vegalite.v5+json"
# Notebooks that talk to SciCat run against the contract server (tests only), told through their kernel's environment.
NEEDS_SCICAT = {"06-catalog"}
SCICAT_TOKENS: dict[str, str] = {}


@contextmanager
def services_for(path: Path, tmp: Path):
    """Starts what a notebook needs (the SciCat contract server) and sets SCICAT_URL/TOKEN/PATH_MAP for its kernel."""
    if path.stem not in NEEDS_SCICAT:
        yield
        return
    token = SCICAT_TOKENS[path.stem] = secrets.token_urlsafe(24)
    server = subprocess.Popen([sys.executable, str(REPO / "tests" / "scicat" / "contract_server.py"), "--port", "0",
                               "--data-root", str(tmp / "beamline"), "--token", token], stdout=subprocess.PIPE, text=True)
    info = json.loads(server.stdout.readline())
    env = {"SCICAT_URL": info["url"], "SCICAT_TOKEN": token, "MDLMA_CATALOG_CONFIG": str(tmp / "catalog.json"),
           "SCICAT_PATH_MAP": json.dumps({info["beamlineRoot"]: info["dataRoot"]})}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        server.terminate()
        server.wait(10)


def outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            yield from cell.outputs


def static_svgs(html: str) -> list[str]:
    """SVG figures of an exported page: inline, or as base64 data URIs (how nbconvert embeds them)."""
    inline = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    embedded = [base64.b64decode(b).decode() for b in re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)]
    return inline + embedded


@pytest.fixture(scope="module", params=NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def executed(request, tmp_path_factory):
    """(notebook source path, executed notebook, exported HTML)."""
    path = request.param
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.kernelspec.name == "mdlma", "tutorials run on the TypeScript (MDLMA) kernel"
    with services_for(path, tmp_path_factory.mktemp(path.stem)):
        NotebookClient(nb, kernel_name="mdlma", timeout=900, resources={"metadata": {"path": str(EXAMPLES)}}).execute()
    OUT.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, OUT / path.name)
    html, _ = HTMLExporter().from_notebook_node(nb)
    (OUT / path.with_suffix(".html").name).write_text(html)
    return path, nb, html


def test_runs_without_error_outputs(executed):
    _, nb, _ = executed
    errors = [o for o in outputs(nb) if o.output_type == "error"]
    assert not errors, "\n".join(f"{e.ename}: {e.evalue}" for e in errors)
    stderr = [o.text for o in outputs(nb) if o.output_type == "stream" and o.name == "stderr"]
    assert not any("Error" in text for text in stderr), stderr


def test_every_plot_has_a_static_fallback_in_the_html(executed):
    _, nb, html = executed
    plots = [o for o in outputs(nb) if o.output_type == "display_data" and VEGALITE in o.data]
    for plot in plots:
        assert plot.data["image/svg+xml"].lstrip().startswith("<svg")
    figures = [svg for svg in static_svgs(html) if "marks" in svg]  # Vega's SVGs have class="marks"
    assert len(figures) >= len(plots), "every plot must be drawn in the HTML without JavaScript"
    for plot in plots:
        title = plot.data[VEGALITE].get("title")
        if isinstance(title, str):
            assert any(title in svg for svg in figures), f"the plot {title!r} must be readable in the exported HTML"


def test_hello_shows_plot_table_and_finished_progress_bar(executed):
    path, nb, html = executed
    if path.stem != "00-hello":
        pytest.skip("specific to 00-hello")
    assert any("Volume per class" in svg for svg in static_svgs(html))
    assert "degradation layer" in html
    bars = [o for o in outputs(nb) if "mdlma-progress" in json.dumps(o.get("data", {}))]
    assert bars and "100% 64/64" in bars[0].data["text/plain"]


def test_volume_outputs_show_their_png_slices_in_the_html(executed):
    """Every show() output carries image/png, and the exported page shows it (no JavaScript there)."""
    _, nb, html = executed
    volumes = [o for o in outputs(nb) if o.output_type == "display_data" and "application/vnd.mdlma.volume+json" in o.data]
    for volume in volumes:
        png = volume.data["image/png"]
        assert base64.b64decode(png)[1:4] == b"PNG"
        assert png[:200] in html, "the volume's PNG slices must be embedded in the exported HTML"
        # The payload keeps a preview so the viewer works without the cache files, but stays small.
        payload = volume.data["application/vnd.mdlma.volume+json"]
        assert all("preview" in layer for layer in payload["layers"])
        assert len(json.dumps(payload)) < 8 * 2**20


def test_the_catalog_token_is_in_no_cell_output_or_export(executed):
    """The SciCat token reaches the kernel through its environment; the saved notebook and its HTML never hold it."""
    path, nb, html = executed
    if path.stem not in NEEDS_SCICAT:
        pytest.skip("talks to no catalog")
    token = SCICAT_TOKENS[path.stem]
    assert token not in (OUT / path.name).read_text()
    assert token not in html
    assert token not in path.read_text()
