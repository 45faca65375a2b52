"""Time of the Mobilise-D reference pipeline (mobgap's MobilisedPipelineHealthy) on one hour of
100 Hz lower-back data built as `cargo bench --bench long` builds
`target/bench-data/lower_back_1h/`: the six Mobilise-D fixtures one after another, repeated to
360 000 samples. The fixtures hold mobgap's own example data in its sensor frame (acc in m/s²,
gyr in deg/s), so the columns go in unchanged.

    python3 -m venv venv && venv/bin/pip install mobgap==1.2.0
    venv/bin/python benches/mobgap_reference.py [RUNS]

Prints, per run, the wall and CPU time of the pipeline (data in memory, imports excluded) and
of the whole process so far, in seconds.
"""

import pathlib
import sys
import time
import types

T_PROCESS = time.perf_counter()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from mobgap.pipeline import MobilisedPipelineHealthy  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = [
    "mobilised_HA001_Test5_Trial1",
    "mobilised_HA001_Test5_Trial2",
    "mobilised_MS001_Test5_Trial1",
    "mobilised_MS001_Test5_Trial2",
    "mobilised_HA001_Test11_Trial1",
    "mobilised_MS001_Test11_Trial1",
]
COLUMNS = ["acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]


def one_hour() -> pd.DataFrame:
    parts = [
        pd.read_csv(ROOT / "fixtures" / f / "lower_back.csv")[COLUMNS].to_numpy()
        for f in FIXTURES
    ]
    block = np.concatenate(parts)
    reps = -(-360_000 // len(block))
    data = np.tile(block, (reps, 1))[:360_000]
    return pd.DataFrame(data, columns=COLUMNS)


def datapoint(data: pd.DataFrame):
    return types.SimpleNamespace(
        data_ss=data,
        sampling_rate_hz=100.0,
        participant_metadata={
            "height_m": 1.59,
            "sensor_height_m": 0.964,
            "cohort": "HA",
        },
        recording_metadata={"measurement_condition": "laboratory"},
        group_label=("bench", "1h"),
    )


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    dp = datapoint(one_hour())
    for k in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        p = MobilisedPipelineHealthy().safe_run(dp)
        w1, c1 = time.perf_counter(), time.process_time()
        n_wb = len(p.per_wb_parameters_)
        print(
            f"run {k + 1}: pipeline {w1 - w0:.2f} s wall, {c1 - c0:.2f} s CPU; "
            f"process so far {w1 - T_PROCESS:.2f} s wall; {n_wb} walking bouts"
        )


if __name__ == "__main__":
    main()
