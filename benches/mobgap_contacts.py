"""Initial contacts of the Mobilise-D reference pipelines (mobgap 1.2.0) on the lower-back
fixtures, written to `tests/data/mobgap/<fixture>.csv` (`t_s,side`) so that
`tests/evaluation.rs` judges them with the same matching, against the same references, as
gaitkit's own contacts.

    python3 -m venv venv && venv/bin/pip install mobgap==1.2.0 scikit-learn==1.6.1
    venv/bin/python benches/mobgap_contacts.py

scikit-learn 1.6.1 is the version mobgap's pre-trained laterality models were saved with.
The healthy-adult fixtures (HA) run `MobilisedPipelineHealthy`, the multiple-sclerosis ones (MS)
`MobilisedPipelineImpaired`, as mobgap recommends per cohort. The contacts are the pipeline's
`raw_ic_list_`: every contact of every gait sequence with its left/right label, before the
stride selection and walking-bout assembly (which only drop contacts).
"""

import json
import pathlib
import types
import warnings

import pandas as pd
from mobgap.pipeline import MobilisedPipelineHealthy, MobilisedPipelineImpaired
from mobgap_reference import COLUMNS, FIXTURES

warnings.filterwarnings("ignore")

ROOT = pathlib.Path(__file__).resolve().parent.parent
FS_HZ = 100.0


def contacts(name: str) -> pd.DataFrame:
    folder = ROOT / "fixtures" / name
    session = json.loads((folder / "session.json").read_text())
    data = pd.read_csv(folder / "lower_back.csv")
    healthy = "_HA" in name
    dp = types.SimpleNamespace(
        data_ss=data[COLUMNS].reset_index(drop=True),
        sampling_rate_hz=FS_HZ,
        participant_metadata={
            "height_m": session["participant"]["height_m"],
            "sensor_height_m": session["participant"]["sensor_height_m"],
            "cohort": "HA" if healthy else "MS",
        },
        recording_metadata={"measurement_condition": "laboratory"},
        group_label=(name,),
    )
    pipeline = MobilisedPipelineHealthy() if healthy else MobilisedPipelineImpaired()
    p = pipeline.safe_run(dp)
    ics = p.raw_ic_list_.reset_index(drop=True)
    t0 = float(data["time_s"].iloc[0])
    out = pd.DataFrame(
        {
            "t_s": (t0 + ics["ic"].astype(float) / FS_HZ).round(2),
            "side": ics["lr_label"].astype(str),
        }
    ).sort_values("t_s")
    return out


def main() -> None:
    out_dir = ROOT / "tests" / "data" / "mobgap"
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in FIXTURES:
        c = contacts(name)
        c.to_csv(out_dir / f"{name}.csv", index=False, float_format="%.2f")
        print(f"{name}: {len(c)} contacts")


if __name__ == "__main__":
    main()
