"""A model umwelt trained, read by Hugging Face's `safetensors` (the standard layout), and the
file that package writes back loaded by umwelt. Run by scripts/check-python-safetensors.sh."""

import json
import os
import shutil
import subprocess

import numpy as np
import pytest
from safetensors import safe_open
from safetensors.numpy import save_file


def umwelt(*args, check=True):
    binary = os.environ.get("UMWELT_BINARY")
    if not binary:
        pytest.fail("UMWELT_BINARY is not set: run through ctest, or set it to the umwelt binary")
    done = subprocess.run([binary, *map(str, args)], capture_output=True, text=True)
    if check:
        assert done.returncode == 0, f"umwelt {' '.join(map(str, args))}: {done.stderr}"
    return done


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    root = tmp_path_factory.mktemp("checkpoint")
    umwelt("gen", "--env", "pointmass-reach", "--episodes", 20, "--max-steps", 30,
           "--out", root / "data")
    umwelt("train", "--data", root / "data", "--out", root / "model", "--steps", 5,
           "--set", "model.encoder_hidden=16", "--set", "model.predictor_hidden=16",
           "--set", "model.probe_hidden=16", "--set", "train.batch_size=8",
           "--set", "train.eval_windows=16", "--set", "loss.horizon=2")
    return root / "model"


def test_safetensors_reads_every_tensor_as_the_config_describes(model):
    config = json.loads((model / "config.json").read_text())
    shape = config["shape"]
    architecture = config["config"]["model"]
    with safe_open(model / "weights.safetensors", framework="numpy") as f:
        names = set(f.keys())
        assert f.metadata()["fingerprint"] == config["fingerprint"]
        first = f.get_tensor("encoder.state.0.weight")
        assert first.dtype == np.float32
        assert first.shape == (architecture["encoder_hidden"], shape["obs_size"])
        out = f.get_tensor("predictor.out.weight")
        assert out.shape == (architecture["latent_dim"], architecture["predictor_hidden"])
        for name in names:
            assert np.isfinite(f.get_tensor(name)).all(), name
    assert {"encoder.state.0.bias", "predictor.in.weight", "probe.0.weight"} <= names


def test_umwelt_loads_the_file_safetensors_writes(model, tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(model, copy)
    with safe_open(model / "weights.safetensors", framework="numpy") as f:
        tensors = {name: f.get_tensor(name) for name in f.keys()}
        metadata = f.metadata()
    save_file(tensors, copy / "weights.safetensors", metadata=metadata)
    info = json.loads(umwelt("model", "info", copy, "--json").stdout)
    assert info["fingerprint"] == metadata["fingerprint"]

    # a changed weight is caught by the checksum over the tensors
    tensors["predictor.out.bias"] = tensors["predictor.out.bias"] + 1
    save_file(tensors, copy / "weights.safetensors", metadata=metadata)
    done = umwelt("model", "info", copy, check=False)
    assert done.returncode != 0
    assert "does not match its checksum" in done.stderr
