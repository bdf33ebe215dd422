"""Exports read the way their users read them: .npz with numpy.load, Minari with h5py (and with
minari itself when it is installed), compared with `umwelt dataset dump`, episode by episode.

Runs the binary in $UMWELT_BINARY (CTest sets it)."""

import json
import os
import subprocess

import h5py
import numpy as np
import pytest

EPISODES = 5
MAX_STEPS = 12


def umwelt(*args):
    binary = os.environ.get("UMWELT_BINARY")
    if not binary:
        pytest.fail("UMWELT_BINARY is not set: run through ctest, or set it to the umwelt binary")
    done = subprocess.run([binary, *map(str, args)], capture_output=True, text=True)
    assert done.returncode == 0, f"umwelt {' '.join(map(str, args))}: {done.stderr}"
    return done.stdout


# a goal task (goals, goal observations) without and with pixels
@pytest.fixture(scope="module", params=[[], ["pixels=8", "pixels_and_state=1"]],
                ids=["state", "pixels"])
def dataset(request, tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    options = [arg for option in request.param for arg in ("--option", option)]
    umwelt("gen", "--env", "pointmass-reach", "--episodes", EPISODES, "--max-steps", MAX_STEPS,
           "--shard-episodes", 2, "--seed", 5, "--out", root / "data", *options)
    dumps = [json.loads(umwelt("dataset", "dump", root / "data", "--episode", k))
             for k in range(EPISODES)]
    manifest = json.loads((root / "data" / "manifest.json").read_text())
    return {"root": root, "dir": root / "data", "episodes": dumps, "pixels": bool(request.param),
            "manifest": manifest}


def rows(values, dtype, width):
    return np.asarray(values, dtype=dtype).reshape(-1, width)


def last_step(episode, flag):
    flags = np.zeros(episode["steps"], dtype=bool)
    flags[-1] = episode[flag]
    return flags


def test_npz_holds_the_dataset(dataset):
    out = dataset["root"] / "data.npz"
    umwelt("dataset", "export", dataset["dir"], "--format", "npz", "--out", out)
    assert out.exists() and not (dataset["root"] / "data.npz.tmp").exists()
    episodes = dataset["episodes"]
    d = len(episodes[0]["observations"][0])
    a = len(episodes[0]["actions"][0])
    s = len(episodes[0]["states"][0])
    g = len(episodes[0]["goal"])
    n = sum(e["steps"] for e in episodes)
    e_count = len(episodes)

    with np.load(out) as z:
        expected_names = {"observations", "actions", "rewards", "terminations", "truncations",
                          "episode_lengths", "episode_index", "episode_seeds", "states", "goals",
                          "goal_observations"} | ({"pixels"} if dataset["pixels"] else set())
        assert set(z.files) == expected_names
        want = {
            "observations": np.concatenate([rows(e["observations"], np.float32, d)
                                            for e in episodes]),
            "actions": np.concatenate([rows(e["actions"], np.float32, a) for e in episodes]),
            "rewards": np.concatenate([np.asarray(e["rewards"], np.float32) for e in episodes]),
            "terminations": np.concatenate([last_step(e, "terminated") for e in episodes]),
            "truncations": np.concatenate([last_step(e, "truncated") for e in episodes]),
            "episode_lengths": np.array([e["steps"] for e in episodes], np.int64),
            "episode_index": np.array([e["index"] for e in episodes], np.int64),
            "episode_seeds": np.array([e["seed"] for e in episodes], np.uint64),
            "states": np.concatenate([rows(e["states"], np.float64, s) for e in episodes]),
            "goals": np.stack([np.asarray(e["goal"], np.float32) for e in episodes]),
            "goal_observations": np.stack([np.asarray(e["goal_observation"], np.float32)
                                           for e in episodes]),
        }
        assert want["observations"].shape == (n + e_count, d)
        assert want["goals"].shape == (e_count, g)
        for name, value in want.items():
            got = z[name]
            assert got.dtype == value.dtype, name
            assert got.shape == value.shape, name
            # exact: the dump prints floats so that they read back bit for bit
            assert np.array_equal(got, value), name
        if dataset["pixels"]:
            pixels = z["pixels"]
            assert pixels.dtype == np.uint8
            assert pixels.shape == (n + e_count, 8, 8, 3)
            assert pixels.any()
            assert np.array_equal(pixels, np.concatenate([
                np.asarray(e["pixels"], np.uint8).reshape(e["pixel_shape"]) for e in episodes]))


def test_minari_holds_the_dataset(dataset):
    out = dataset["root"] / "minari"
    umwelt("dataset", "export", dataset["dir"], "--format", "minari", "--out", out)
    metadata = json.loads((out / "data" / "metadata.json").read_text())
    episodes = dataset["episodes"]
    assert metadata["total_episodes"] == len(episodes)
    assert metadata["total_steps"] == sum(e["steps"] for e in episodes)
    assert metadata["data_format"] == "hdf5"
    assert json.loads(metadata["observation_space"])["type"] == "Box"
    assert metadata["umwelt_manifest"] == dataset["manifest"]

    with h5py.File(out / "data" / "main_data.hdf5", "r") as f:
        assert sorted(f.keys()) == sorted(f"episode_{i}" for i in range(len(episodes)))
        assert f.attrs["total_steps"] == metadata["total_steps"]
        assert json.loads(f.attrs["umwelt_manifest"]) == dataset["manifest"]
        for i, e in enumerate(episodes):
            group = f[f"episode_{i}"]
            t = e["steps"]
            d = len(e["observations"][0])
            assert group.attrs["id"] == i
            assert group.attrs["total_steps"] == t
            assert int(group.attrs["seed"]) == e["seed"]
            assert group.attrs["index"] == e["index"]
            assert group.attrs["policy"] == e["policy"]
            assert group.attrs["end_reason"] == e["reason"]
            observations = group["observations"][()]
            assert observations.dtype == np.float32 and observations.shape == (t + 1, d)
            assert np.array_equal(observations, rows(e["observations"], np.float32, d))
            assert np.array_equal(group["actions"][()],
                                  rows(e["actions"], np.float32, len(e["actions"][0])))
            rewards = group["rewards"][()]
            assert rewards.dtype == np.float64
            assert np.array_equal(rewards, np.asarray(e["rewards"], np.float32))
            assert group["terminations"].dtype == bool
            assert np.array_equal(group["terminations"][()], last_step(e, "terminated"))
            assert np.array_equal(group["truncations"][()], last_step(e, "truncated"))
            infos = group["infos"]
            assert np.array_equal(infos["states"][()],
                                  rows(e["states"], np.float64, len(e["states"][0])))
            assert np.array_equal(infos["goal"][()],
                                  np.tile(np.asarray(e["goal"], np.float32), (t + 1, 1)))
            assert ("pixels" in infos) == dataset["pixels"]
            if dataset["pixels"]:
                assert np.array_equal(infos["pixels"][()],
                                      np.asarray(e["pixels"], np.uint8).reshape(e["pixel_shape"]))


def test_minari_loads_the_export(dataset):
    minari = pytest.importorskip("minari")
    out = dataset["root"] / "minari-load"
    umwelt("dataset", "export", dataset["dir"], "--format", "minari", "--out", out)
    loaded = minari.MinariDataset(out / "data")
    assert loaded.total_episodes == EPISODES
    for i, episode in enumerate(loaded.iterate_episodes()):
        want = dataset["episodes"][i]
        assert np.array_equal(episode.observations,
                              rows(want["observations"], np.float32, episode.observations.shape[1]))
        assert episode.truncations[-1] == want["truncated"]
