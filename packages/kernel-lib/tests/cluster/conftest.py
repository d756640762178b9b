"""Cluster tests: a real single-node Slurm started by the session (see slurm_fixture.py)."""
import pytest

from slurm_fixture import Mdlma, slurm_env  # noqa: F401 (the session fixture)


@pytest.fixture
def mdlma(slurm_env, tmp_path):  # noqa: F811
    """`mdlma slurm` against the test cluster, run in a fresh folder."""
    return Mdlma(slurm_env, tmp_path)
