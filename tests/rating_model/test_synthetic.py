"""The synthetic population: parseable rows, determinism, chunking, label behaviour and magnitudes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from rating_model.exceptions import InvalidInputError, InvalidInputErrors
from rating_model.flat import FLAT_DTYPES, payloads_from_frame
from rating_model.operating_data_reader import parse_operating_data
from rating_model.synthetic import BLOCK_ROWS, FRAME_COLUMNS, generate_frame, iter_frames
from rating_model.synthetic_params import sector_table
from rating_model.units import canonical
from service.batch.flat_files import write_frame

SEED = 20261125
DOC = Path(__file__).resolve().parents[2] / "docs" / "synthetic-population.md"
# the use-of-proceeds list of the brief: ten GLP categories and the one non-green use
USES = (
    "renewable_energy", "energy_efficiency", "pollution_prevention", "clean_transportation",
    "sustainable_water", "circular_economy", "green_buildings", "climate_adaptation",
    "living_natural_resources", "biodiversity", "general_working_capital",
)
DIVISIONS = {"56", "55", "47", "46", "62", "69", "70", "71", "73", "10", "13", "22", "25", "49", "52", "41",
             "43", "01"}


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return generate_frame(20_000, SEED)


def test_every_sampled_row_parses(frame: pd.DataFrame) -> None:
    sample = frame.sample(2_000, random_state=1)
    failures: list[tuple[int, str]] = []
    for index, payload in zip(sample.index, payloads_from_frame(sample), strict=True):
        try:
            parse_operating_data(payload, use_of_proceeds=USES)
        except (InvalidInputError, InvalidInputErrors) as error:
            failures.append((index, str(error)))
    assert failures == []


def test_values_respect_the_parser_rules_on_every_row(frame: pd.DataFrame) -> None:
    f = frame
    assert list(f.columns) == list(FRAME_COLUMNS)
    assert {c: str(t) for c, t in f.dtypes.items()} == FLAT_DTYPES
    assert f["company__employees"].between(1, 300).all()
    assert (f["company__annual_revenue"] > 0).all() and (f["company__floor_area_m2"].dropna() > 0).all()
    assert set(f["company__industry_code"]) == DIVISIONS
    assert f["company__region"].dropna().str.fullmatch(r"CN-[A-Z]{2}").all()
    assert set(f["company__reporting_year"]) == {2021, 2022, 2023}
    assert (f["company__operating_hours_per_week"].dropna().between(0, 168, inclusive="right")).all()
    assert (f["energy__green_electricity_kwh"] <= f["energy__electricity_kwh"]).where(
        f["energy__green_electricity_kwh"].notna(), True).all()
    assert f.loc[f["energy__green_electricity_kwh"] > 0, "energy__electricity_kwh"].notna().all()
    for part in ("waste_recycled_t", "hazardous_waste_t"):
        given = f[f"resources__{part}"].notna()
        assert (f.loc[given, f"resources__{part}"] <= f.loc[given, "resources__waste_t"]).all()
    shares = f["practices__green_products_share"].dropna()
    assert shares.between(0, 1).all()
    targets = f[f["targets__0__base_year"].notna()]
    assert (targets["targets__0__target_year"] > targets["targets__0__base_year"]).all()
    assert targets["targets__0__reduction_pct"].between(0, 100).all()
    numeric = f[[c for c, t in FLAT_DTYPES.items() if t in ("float64", "Int64") and c != "latent_greenness"]]
    assert (numeric.fillna(0) >= 0).all().all()
    assert set(f["loan__use_of_proceeds"].dropna()) <= set(USES)
    assert (f["loan__amount"].dropna() > 0).all()
    assert set(f["label"]) == {0, 1}


def test_every_generated_unit_is_known_to_the_engine(frame: pd.DataFrame) -> None:
    units = {u for c in frame.columns if c.endswith("__unit") for u in frame[c].dropna().unique()}
    assert units == {"m3", "kg", "L", "kWh"}
    for unit in units:
        assert canonical(unit, field="unit") == unit


def test_every_list_entry_has_a_usable_quantity(frame: pd.DataFrame) -> None:
    for fuel in ("gasoline", "diesel", "hybrid", "electric", "natural_gas"):
        quantity = frame[f"transport__fleet__{fuel}__fuel_quantity"]
        unit = frame[f"transport__fleet__{fuel}__unit"]
        assert (quantity.notna() == unit.notna()).all()
        assert (frame[f"transport__fleet__{fuel}__vehicles"].notna() | quantity.isna()).all()


def test_same_seed_same_frame_and_same_csv_bytes(tmp_path: Path) -> None:
    first, second = generate_frame(3_000, 7), generate_frame(3_000, 7)
    pd.testing.assert_frame_equal(first, second)
    write_frame(first, tmp_path / "a.csv")
    write_frame(second, tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_chunks_concatenate_to_the_frame_whatever_their_size() -> None:
    rows = 2 * BLOCK_ROWS + 1_234
    whole = generate_frame(rows, 7)
    for chunk_rows in (7_001, BLOCK_ROWS, rows):
        chunks = list(iter_frames(rows, 7, chunk_rows=chunk_rows))
        assert all(len(c) <= chunk_rows for c in chunks)
        pd.testing.assert_frame_equal(pd.concat(chunks), whole)


def test_a_smaller_population_is_a_prefix_of_a_larger_one() -> None:
    pd.testing.assert_frame_equal(generate_frame(1_500, 7), generate_frame(BLOCK_ROWS + 5, 7).iloc[:1_500])


def test_different_seeds_give_different_populations() -> None:
    a, b = generate_frame(500, 1), generate_frame(500, 2)
    assert not a["latent_greenness"].equals(b["latent_greenness"])
    assert not a["energy__electricity_kwh"].equals(b["energy__electricity_kwh"])


def test_zero_rows_give_an_empty_typed_frame() -> None:
    empty = generate_frame(0, 3)
    assert empty.shape == (0, len(FRAME_COLUMNS))
    assert {c: str(t) for c, t in empty.dtypes.items()} == FLAT_DTYPES
    assert list(iter_frames(0, 3)) == []


@pytest.mark.parametrize("kwargs", [{"n_rows": -1}, {"seed": -5}, {"chunk_rows": 0}, {"n_rows": True},
                                    {"seed": 1.5}])
def test_bad_arguments_are_refused(kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {"n_rows": 10, "seed": 1, "chunk_rows": 5} | kwargs
    with pytest.raises(ValueError):
        next(iter_frames(**args))  # type: ignore[arg-type]


def test_event_rate_is_in_the_documented_band_and_follows_greenness(frame: pd.DataFrame) -> None:
    y = frame["label"].to_numpy(dtype=int)
    assert 0.30 <= y.mean() <= 0.40
    assert roc_auc_score(y, frame["latent_greenness"]) > 0.7


def test_missingness_does_not_give_the_label_away(frame: pd.DataFrame) -> None:
    y = frame["label"].to_numpy(dtype=int)
    inputs = frame.drop(columns=["label", "latent_greenness"]).notna()
    assert 0.4 < roc_auc_score(y, inputs.sum(axis=1)) < 0.6
    for column in inputs.columns[inputs.any() & ~inputs.all()]:
        assert 0.4 < roc_auc_score(y, inputs[column]) < 0.6, column


def test_reported_behaviours_point_the_documented_way(frame: pd.DataFrame) -> None:
    y = frame["label"].to_numpy(dtype=int)

    def auc(values: pd.Series) -> float:
        given = values.notna().to_numpy()
        return float(roc_auc_score(y[given], values[given].astype(float)))

    rate = frame["resources__waste_recycled_t"] / frame["resources__waste_t"]
    assert auc(rate) > 0.7
    assert auc(frame["practices__environmental_policy"]) > 0.55
    assert auc(frame["compliance__environmental_penalties_3y"]) < 0.5
    change = frame["energy__electricity_kwh"] / frame["previous_year__energy__electricity_kwh"]
    assert auc(change) < 0.35


def test_magnitudes_match_the_documented_calibration(frame: pd.DataFrame) -> None:
    employees = frame["company__employees"]
    assert (employees < 50).mean() > 0.9
    restaurants = frame[(frame["company__industry_code"] == "56") & (employees == 12)]
    assert 2.4e6 < restaurants["company__annual_revenue"].median() < 3.6e6  # domain.md §6: CNY 3 M
    assert 45_000 < restaurants["energy__electricity_kwh"].median() < 80_000  # 60,000 kWh
    assert 6_000 < restaurants["energy__fuel__natural_gas__quantity"].median() < 10_500  # 8,000 m3
    basics = [c for c in frame.columns if c.startswith(("company__", "loan__"))] + [
        "energy__electricity_kwh", "energy__electricity_spend", "data_source", "label", "latent_greenness"]
    only_basics = frame.drop(columns=basics).isna().all(axis=1)
    assert 0.04 < only_basics.mean() < 0.15  # micro merchants: industry, region, size, electricity only


def test_the_documentation_shows_the_sector_parameters_in_use() -> None:
    assert sector_table() in DOC.read_text(encoding="utf-8")
