"""Fine-tuning on what active learning exports: a few slices annotated in the kernel, `al.exportTrainingSet(dir)`,
then `train.sh --data dir --init models/sun-implant/model.pt`; and the errors a user meets on the way."""
import json
import math
import subprocess

import numpy as np
import onnxruntime as ort
import pytest
import torch

import sunlib
from conftest import KERNEL_LIB, REPO, SHIPPED, TINY_HELDOUT, run_train, trained
from phantoms import load_pairs
from train import dice_ce_loss

# A 48^3 phantom, a session along z, three suggested slices annotated with the phantom's truth, the pair exported.
EXPORT_SCRIPT = """
const { activeLearning, implantPhantom, sliceShape, voxelOf } = require(process.argv[1]);
(async () => {
  const dir = process.argv[2];
  const phantom = await implantPhantom({ size: 48, seed: 2002, stage: 6, material: 'Mg-10Gd' });
  const al = await activeLearning({ volume: phantom.image, model: 'sun-implant', axis: 'z', name: 'finetune-test',
                                    strategy: 'entropy', register: false, threads: 1 });
  const shape = phantom.labels.shape;
  const [h, w] = sliceShape(shape, 'z');
  const slices = al.suggest(3).map(s => s.index);
  for (const k of slices) {
    const truth = new Uint8Array(h * w);
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) truth[i * w + j] = phantom.labels.data[voxelOf(shape, 'z', k, i, j)];
    }
    al.annotate('z', k, truth);
  }
  const out = await al.exportTrainingSet(dir);
  console.log(JSON.stringify({ ...out, slices, shape: phantom.image.shape }));
  process.exit(0);
})().catch(e => { console.error(e); process.exit(1); });
"""


@pytest.fixture(scope="session")
def exported_set(tmp_path_factory) -> dict:
    """A training set written by the kernel's exportTrainingSet: {image, labels, labelledVoxels, slices, shape, dir}."""
    folder = tmp_path_factory.mktemp("exported")
    res = subprocess.run(["node", "-e", EXPORT_SCRIPT, str(KERNEL_LIB), str(folder)],
                         capture_output=True, text=True, cwd=REPO, timeout=180)
    if res.returncode != 0:
        pytest.fail(f"the exportTrainingSet script exited with {res.returncode}:\n{res.stdout[-2000:]}\n"
                    f"{res.stderr[-3000:]}")
    return {**json.loads(res.stdout.strip().splitlines()[-1]), "dir": folder}


def test_exported_set_reads_as_a_partially_labelled_pair(exported_set):
    (vol,) = load_pairs(str(exported_set["dir"]))
    assert vol.image.shape == vol.labels.shape == tuple(exported_set["shape"])
    unlabelled = vol.labels == 255
    assert unlabelled.any()
    assert int((~unlabelled).sum()) == exported_set["labelledVoxels"] > 0
    assert set(np.unique(vol.labels[~unlabelled])) <= {0, 1, 2, 3}
    # Only the annotated z slices carry labels, and the training tiles are centred on them.
    assert sorted(vol.labelled_z.tolist()) == sorted(exported_set["slices"])


def test_finetune_on_the_exported_set_from_the_shipped_model(exported_set, phantom_cache, tmp_path):
    init = SHIPPED / "model.pt"
    out = tmp_path / "finetuned"
    model = trained(run_train("--data", str(exported_set["dir"]), "--init", str(init), "--out", str(out),
                              "--phantoms", "0", *TINY_HELDOUT, "--iters", "4", "--batch", "4", "--tile", "48",
                              "--minutes", "0", "--log-every", "2", "--workdir", str(phantom_cache)), out)
    assert f"+ 1 image/label pairs from {exported_set['dir']}" in model.log
    training = model.card["training"]
    # The card says where the model came from: the init checkpoint (with its own provenance) and the data.
    assert training["init"] == str(init)
    shipped = json.loads((SHIPPED / "model.json").read_text())
    assert training["init_training"]["version"] == shipped["version"]
    assert training["init_training"]["sha256"] == shipped["sha256"]
    assert training["data"]["extra_pairs"] == str(exported_set["dir"])
    assert training["data"]["train"]["count"] == 0
    assert training["iterations"] == 4
    # Most voxels of the set are 255: had they reached the loss as a class, cross-entropy would have failed on them.
    assert all(math.isfinite(h["loss"]) for h in training["loss_history"])
    # The fine-tuned ONNX loads and segments a slice of the exported image.
    (vol,) = load_pairs(str(exported_set["dir"]))
    k = exported_set["slices"][0]
    x = sunlib.normalise_slice(vol.image[k])[None, None].astype(np.float32)
    session = ort.InferenceSession(str(out / "model.onnx"), providers=["CPUExecutionProvider"])
    probs, features = session.run(["probs", "features"], {"image": x})
    assert probs.shape == (1, 4, *vol.image.shape[1:]) and features.shape[1] == model.card["outputs"]["F"]
    np.testing.assert_allclose(probs.sum(1), 1, atol=1e-5)


def test_loss_ignores_unlabelled_voxels():
    torch.manual_seed(0)
    logits = torch.randn(2, 4, 16, 16, requires_grad=True)
    target = torch.randint(0, 4, (2, 16, 16))
    target[:, :10] = 255  # rows 0-9 unlabelled
    loss = dice_ce_loss(logits, target)
    loss.backward()
    assert torch.isfinite(loss)
    assert logits.grad[:, :, :10].abs().max() == 0  # no gradient from the unlabelled voxels
    assert logits.grad[:, :, 10:].abs().max() > 0
    # ... and the loss is that of the labelled part alone.
    assert torch.allclose(loss, dice_ce_loss(logits[:, :, 10:], target[:, 10:]))


def test_data_folder_without_pairs_stops_with_its_name(tmp_path, phantom_cache):
    empty = tmp_path / "nothing-exported"
    empty.mkdir()
    res = run_train("--data", str(empty), "--phantoms", "0", *TINY_HELDOUT, "--out", str(tmp_path / "out"),
                    "--workdir", str(phantom_cache))
    assert res.returncode != 0
    assert str(empty) in res.stderr and "no <name>.nii.gz + <name>.labels.nii.gz pairs" in res.stderr
    assert not (tmp_path / "out" / "model.onnx").exists()
