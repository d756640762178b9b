"""A notebook in a folder with no node_modules anywhere above it (a JupyterHub home, another drive)
imports @mdlma/kernel with its types, and nothing is written into that folder (issue 15, case 7c)."""
import tempfile
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def home_kernel(start_kernel):
    with tempfile.TemporaryDirectory(prefix="mdlma-home-") as folder:
        home = Path(folder)
        assert not any((p / "node_modules").exists() for p in [home, *home.parents]), "the test needs a bare folder"
        yield start_kernel(home)


def test_imports_mdlma_kernel_with_its_types(home_kernel):
    reply, outputs = home_kernel.execute(
        'import { importEsm } from "@mdlma/kernel";\n'
        # A module path through the package's exports map (typesVersions for the kernel's Node10 type check).
        'import { KERNEL_NAME, kernelspec } from "@mdlma/kernel/kernel";\n'
        'const spec: Record<string, unknown> = kernelspec("/usr/bin/node");\n'
        'const zarr = await importEsm("zarrita");\n'
        "console.log(KERNEL_NAME, spec.display_name, typeof zarr.open);"
    )
    assert reply["status"] == "ok", outputs
    assert home_kernel.text(outputs).strip() == "mdlma TypeScript (MDLMA) function"


def test_the_type_check_sees_mdlma_kernel_types(home_kernel):
    # With the module unresolved the check would say "Cannot find module"; typed as any, it would pass.
    reply, outputs = home_kernel.execute("const wrong: number = KERNEL_NAME;")
    assert reply["status"] == "error"
    assert "is not assignable to type 'number'" in home_kernel.text(outputs)


def test_imports_the_kernel_packages_dependencies(home_kernel):
    reply, outputs = home_kernel.execute('import * as vl from "vega-lite";\nconsole.log(typeof vl.compile);')
    assert reply["status"] == "ok", outputs
    assert home_kernel.text(outputs).strip() == "function"


def test_nothing_is_written_into_the_notebook_folder(home_kernel):
    assert list(home_kernel.cwd.iterdir()) == []
