"""Every tutorial in examples/ runs on the MDLMA kernel, exports to HTML that still shows its figures, and shows
the result it promises (read from its executed outputs, as a reader sees them).

Each tutorial executes once per session, when a test first asks for it; the generic tests run over all of them, a
tutorial's own test asks for its notebook alone. The executed notebooks and their HTML land in .test-logs/notebooks/
(what CI keeps for readers).
"""
import base64
import html as htmlib
import json
import os
import re
import secrets
import subprocess
import sys
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Iterator, NamedTuple

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
OUT = REPO / ".test-logs" / "notebooks"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))
VEGALITE = "application/vnd.vegalite.v5+json"
SCICAT_TOKENS: dict[str, str] = {}

sys.path.insert(0, str(REPO / "packages" / "kernel-lib" / "tests" / "cluster"))
from slurm_fixture import SCRIPT as SLURM_SCRIPT, unavailable_reason as slurm_missing  # noqa: E402

# The notebooks' Slurm: a folder and ports of its own, so that a developer's cluster (6817), the kernel tests' (6827)
# and the UI tests' (6837) are left alone.
SLURM_DIR = Path(os.environ.get("MDLMA_NOTEBOOKS_SLURM_DIR", "/tmp/mdlma-slurm-notebooks"))
SLURM_PORT = os.environ.get("MDLMA_NOTEBOOKS_SLURM_PORT", "6847")


class Executed(NamedTuple):
    """A tutorial after execution."""
    path: Path
    nb: nbformat.NotebookNode
    html: str


@contextmanager
def scicat_server(stem: str, tmp: Path) -> Iterator[dict]:
    """The SciCat contract server (tests only); yields SCICAT_URL/TOKEN/PATH_MAP for the kernel."""
    token = SCICAT_TOKENS[stem] = secrets.token_urlsafe(24)
    server = subprocess.Popen([sys.executable, str(REPO / "tests" / "scicat" / "contract_server.py"), "--port", "0",
                               "--data-root", str(tmp / "beamline"), "--token", token], stdout=subprocess.PIPE, text=True)
    try:
        info = json.loads(server.stdout.readline())
        yield {"SCICAT_URL": info["url"], "SCICAT_TOKEN": token, "MDLMA_CATALOG_CONFIG": str(tmp / "catalog.json"),
               "SCICAT_PATH_MAP": json.dumps({info["beamlineRoot"]: info["dataRoot"]})}
    finally:
        server.terminate()
        server.wait(10)


@contextmanager
def slurm_cluster(stem: str, tmp: Path) -> Iterator[dict]:
    """A real single-node Slurm (scripts/slurm-cluster.sh); yields SLURM_CONF, which the notebook's first cell finds.

    Without one the tutorial cannot show what it is about, so the test fails and says why (it never skips).
    """
    reason = slurm_missing()
    if reason:
        pytest.fail(f"{stem} submits jobs to a real Slurm, which cannot start here: {reason}", pytrace=False)
    env = dict(os.environ, MDLMA_SLURM_DIR=str(SLURM_DIR), MDLMA_SLURM_PORT=SLURM_PORT,
               SLURM_CONF=str(SLURM_DIR / "slurm.conf"))
    # Stop at the end only a cluster this session started: another run may be using one that was already up.
    status = subprocess.run(["bash", str(SLURM_SCRIPT), "status"], env=env, capture_output=True, timeout=30)
    was_running = status.returncode == 0
    started = subprocess.run(["bash", str(SLURM_SCRIPT), "start"], env=env, capture_output=True, text=True, timeout=120)
    if started.returncode != 0:
        pytest.fail(f"{stem} needs a real Slurm, and scripts/slurm-cluster.sh start failed (see {SLURM_DIR}):\n"
                    f"{started.stdout}{started.stderr}", pytrace=False)
    try:
        yield {"SLURM_CONF": env["SLURM_CONF"]}
    finally:
        if not was_running:
            subprocess.run(["bash", str(SLURM_SCRIPT), "stop"], env=env, capture_output=True, timeout=60)


def no_service(stem: str, tmp: Path):
    """For a tutorial that needs nothing besides its kernel."""
    return nullcontext({})


# What a tutorial needs besides the kernel, started around its execution and told to its kernel's environment.
SERVICES = {"05-cluster": slurm_cluster, "06-catalog": scicat_server}


@contextmanager
def kernel_environment(env: dict) -> Iterator[None]:
    """Sets env for the kernels started inside (they inherit this process's environment), then restores it."""
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


class Tutorials:
    """The tutorials of examples/ by stem, each executed on first request and kept (or its failure, raised again)."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory):
        self._tmp = tmp_path_factory
        self._done: dict[str, Executed | BaseException] = {}

    def __getitem__(self, stem: str) -> Executed:
        if stem not in self._done:
            try:
                self._done[stem] = self._execute(EXAMPLES / f"{stem}.ipynb")
            except (Exception, pytest.fail.Exception) as problem:
                self._done[stem] = problem
        done = self._done[stem]
        if isinstance(done, BaseException):
            raise done
        return done

    def _execute(self, path: Path) -> Executed:
        nb = nbformat.read(path, as_version=4)
        assert nb.metadata.kernelspec.name == "mdlma", "tutorials run on the TypeScript (MDLMA) kernel"
        tmp = self._tmp.mktemp(path.stem)
        with SERVICES.get(path.stem, no_service)(path.stem, tmp) as env, kernel_environment(env):
            NotebookClient(nb, kernel_name="mdlma", timeout=900, resources={"metadata": {"path": str(EXAMPLES)}}).execute()
        OUT.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, OUT / path.name)
        html, _ = HTMLExporter().from_notebook_node(nb)
        (OUT / path.with_suffix(".html").name).write_text(html)
        return Executed(path, nb, html)


@pytest.fixture(scope="session")
def tutorials(tmp_path_factory) -> Tutorials:
    return Tutorials(tmp_path_factory)


@pytest.fixture(params=[p.stem for p in NOTEBOOKS])
def executed(request, tutorials) -> Executed:
    """Each tutorial in turn, for the tests every tutorial must pass."""
    return tutorials[request.param]


def outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            yield from cell.outputs


def static_svgs(html: str) -> list[str]:
    """SVG figures of an exported page: inline, or as base64 data URIs (how nbconvert embeds them)."""
    inline = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    embedded = [base64.b64decode(b).decode() for b in re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)]
    return inline + embedded


def stdout(nb) -> str:
    return "".join(o.text for o in outputs(nb) if o.output_type == "stream" and o.name == "stdout")


def table(nb, caption: str) -> list[dict[str, str]]:
    """The rows of the one `table()` output whose caption starts with `caption`, as the reader sees its cells."""
    found = []
    for o in outputs(nb):
        page = o.get("data", {}).get("text/html", "")
        title = re.search(r'<table class="mdlma-table"><caption>(.*?)</caption>', page, flags=re.S)
        if title and htmlib.unescape(title.group(1)).startswith(caption):
            found.append(page)
    assert len(found) == 1, f"expected one table captioned {caption!r}, found {len(found)}"
    text = lambda cells: [htmlib.unescape(c) for c in cells]  # noqa: E731
    columns = text(re.findall(r"<th>(.*?)</th>", found[0], flags=re.S))
    body = re.search(r"<tbody>(.*)</tbody>", found[0], flags=re.S).group(1)
    return [dict(zip(columns, text(re.findall(r"<td>(.*?)</td>", row, flags=re.S))))
            for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)]


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


@pytest.mark.parametrize("stem", sorted(stem for stem, service in SERVICES.items() if service is scicat_server))
def test_the_catalog_token_is_in_no_cell_output_or_export(tutorials, stem):
    """The SciCat token reaches the kernel through its environment; the saved notebook and its HTML never hold it."""
    path, _, html = tutorials[stem]
    token = SCICAT_TOKENS[stem]
    assert token not in (OUT / path.name).read_text()
    assert token not in html
    assert token not in path.read_text()


def test_hello_shows_plot_table_and_finished_progress_bar(tutorials):
    _, nb, html = tutorials["00-hello"]
    assert any("Volume per class" in svg for svg in static_svgs(html))
    assert "degradation layer" in html
    bars = [o for o in outputs(nb) if "mdlma-progress" in json.dumps(o.get("data", {}))]
    assert bars and "100% 64/64" in bars[0].data["text/plain"]


def test_segment_implant_reaches_its_dice_per_class(tutorials):
    """SUN with 9 axes on the sample phantom (observed: bone 0.973, DL 0.923, RM 0.963; the sample is in the
    training set, so these are optimistic); the floors leave room for numerical noise, not for a regression."""
    _, nb, _ = tutorials["02-segment-implant"]
    dice = {row["class"]: float(row["dice"]) for row in table(nb, "Segmentation metrics per class")}
    floors = {"1 bone": 0.95, "2 degradation layer": 0.88, "3 residual material": 0.93}
    below = {c: dice[c] for c, floor in floors.items() if dice[c] < floor}
    assert not below, f"Dice {below} below the floors {floors}"


def test_active_learning_rounds_improve_on_the_unet(tutorials):
    """After the annotation rounds every foreground class beats the U-Net alone under the domain shift (observed, 4
    rounds: bone 0.676 -> 0.878, DL 0.412 -> 0.595, RM 0.728 -> 0.843)."""
    _, nb, _ = tutorials["03-active-learning"]
    rows = {row["class"]: row for row in table(nb, "Before and after:")}
    for name in ("bone", "degradation layer", "residual material"):
        before = float(rows[name]["U-Net alone"])
        after = float(next(v for k, v in rows[name].items() if k.startswith("after ")))
        assert after >= before + 0.05, f"{name}: Dice {before} before the rounds, {after} after"


def test_registration_convexadam_beats_affine(tutorials):
    """Week 8 onto week 4: convexAdam on top of affine raises both Dice, lowers the TRE, and folds nothing (observed:
    Dice bone 0.647 -> 0.841, implant 0.844 -> 0.952, TRE 261 -> 131 µm)."""
    _, nb, _ = tutorials["04-registration"]
    rows = {row["method"]: {k: float(v) for k, v in row.items() if k != "method"}
            for row in table(nb, "Week 8 onto week 4")}
    affine, deformable = rows["affine"], rows["affine + convexAdam"]
    assert deformable["Dice bone"] > affine["Dice bone"], rows
    assert deformable["Dice implant"] > affine["Dice implant"], rows
    assert deformable["TRE (µm)"] < affine["TRE (µm)"], rows
    assert deformable["% J <= 0"] == 0, rows


def test_cluster_result_equals_the_in_process_one(tutorials):
    """The array job on the test's Slurm gives the in-process segmentation voxel for voxel."""
    _, nb, _ = tutorials["05-cluster"]
    assert f"Slurm answers (SLURM_CONF={SLURM_DIR / 'slurm.conf'})" in stdout(nb), \
        "the notebook must submit to the test's cluster"
    tasks = table(nb, "Tasks; merge job")
    assert tasks and all(t["state"] == "COMPLETED" for t in tasks), tasks
    [compared] = table(nb, "Array job vs in-process")
    assert int(compared["tasks"]) == len(tasks)
    assert int(compared["voxels that differ"]) == 0, compared


def test_catalog_finds_the_derived_dataset_it_registered(tutorials):
    """registerDerived's dataset reads back by its input: same PID, name, model, parameters and Dice, and its
    thumbnail."""
    _, nb, _ = tutorials["06-catalog"]
    dice = {row["class"]: float(row["dice"]) for row in table(nb, "Segmentation metrics per class")}
    [registered] = table(nb, "The registered derived dataset")
    [stored] = table(nb, f"Derived datasets of {registered['inputs']}")
    assert stored["pid"] == registered["pid"]
    assert stored["name"].startswith("SUN segmentation of ")
    model = json.loads(stored["model"])
    assert f"model:{model['name']}@{model['version']} sha256:{model['sha256']}" in registered["software"]
    assert json.loads(stored["parameters"]) == {"axes": 3, "voting": "soft"}
    foreground = [d for c, d in dice.items() if not c.startswith("0 ")]
    assert float(stored["mean foreground Dice"]) == pytest.approx(sum(foreground) / len(foreground), abs=1e-3)
    previews = [o for o in outputs(nb) if o.output_type == "display_data" and "image/png" in o.data
                and o.data["text/plain"] == f"Preview of {stored['name']}"]
    assert len(previews) == 1 and base64.b64decode(previews[0].data["image/png"])[1:4] == b"PNG"
