"""A training from scratch on tiny phantoms writes a complete model folder that the kernel can load."""
import math

from onnx_export import sha256


def test_smoke_training_writes_the_model_files_and_nothing_else(smoke_model):
    # Written atomically: no *.new / *.partial / *.tmp left behind.
    assert sorted(p.name for p in smoke_model.folder.iterdir()) == ["model.json", "model.onnx", "model.pt", "train.log"]
    card = smoke_model.card
    assert card["file"] == "model.onnx" and card["checkpoint"]["file"] == "model.pt"
    # The kernel checks model.onnx against the card's checksum before it loads it.
    assert card["sha256"] == sha256(smoke_model.folder / "model.onnx")
    assert card["bytes"] == (smoke_model.folder / "model.onnx").stat().st_size
    assert card["checkpoint"]["sha256"] == sha256(smoke_model.folder / "model.pt")


def test_smoke_card_states_the_classes_and_outputs(smoke_model):
    card = smoke_model.card
    assert [c["value"] for c in card["classes"]] == [0, 1, 2, 3]
    assert card["input"]["name"] == "image" and card["input"]["shape"] == "[N,1,H,W]"
    assert card["outputs"]["probs"] == "[N,C,H,W]" and card["outputs"]["classes"] == 4
    assert card["outputs"]["features"] == "[N,F,H,W]" and card["outputs"]["F"] > 0
    assert card["input"]["multiple"] == 2 ** (len(card["architecture"]["widths"]) - 1)


def test_smoke_training_ran_its_iterations_with_a_finite_loss(smoke_model):
    training = smoke_model.card["training"]
    assert training["iterations"] == training["max_iterations"] == 8
    assert training["data"]["train"]["count"] == 2 and training["data"]["heldout"]["count"] == 1
    assert not set(training["data"]["train"]["seeds"]) & set(training["data"]["heldout"]["seeds"])
    losses = [h["loss"] for h in training["loss_history"]]
    assert losses and all(math.isfinite(x) for x in losses)
    assert all(math.isfinite(d) for d in smoke_model.card["metrics"]["heldout"]["volume_mean_axis1"] if d is not None)
