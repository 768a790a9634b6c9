"""The generating process of one block of synthetic businesses: latent greenness -> behaviours -> label.

Every business gets a latent greenness ``z ~ N(0, 1)``; its behaviours (energy efficiency, green power,
solar, electrification, recycling, practices, penalties, targets, trend) are drawn from ``z`` plus their own
noise, what it *reports* is drawn from a disclosure tier, and the "assessed green" label is drawn from an
auditor's view of the *true* behaviours. The equations are in ``docs/synthetic-population.md``. Columns are
numpy arrays (NaN or ``None`` = not reported) keyed by flat column name; :mod:`rating_model.synthetic`
turns them into a typed frame. Energy and transport live in :mod:`rating_model.synthetic_energy`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from rating_model import synthetic_params as P
from rating_model.synthetic_energy import SECTOR_ARRAYS, Block, energy, previous_year, sigmoid, transport

FloatArray = NDArray[np.float64]


def generate_block(seed: np.random.SeedSequence, start: int, n: int) -> dict[str, NDArray[Any]]:
    """Columns of ``n`` businesses numbered from ``start``, drawn from their own seed (chunking-proof)."""
    return draw_block(seed, start, n)[0].cols


def draw_block(seed: np.random.SeedSequence, start: int, n: int) -> tuple[Block, dict[str, FloatArray]]:
    """The block with its columns, and the true behaviours the label was drawn from (for analysis)."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n)
    sector = rng.choice(len(P.SECTORS), size=n, p=_SECTOR_WEIGHTS)
    region = rng.choice(len(P.REGIONS), size=n, p=_REGION_WEIGHTS)
    year = rng.integers(P.YEARS[0], P.YEARS[-1] + 1, size=n)
    median = SECTOR_ARRAYS["employees_median"][sector]
    employees = np.clip(np.rint(median * np.exp(0.9 * rng.standard_normal(n))), 1, 300)
    formality = SECTOR_ARRAYS["formality"][sector]
    score = P.TIER_SIZE * np.log(employees / 10) + P.TIER_Z * z + formality + rng.logistic(size=n)
    tier = (score[:, None] > np.asarray(P.TIER_CUTS)[None, :]).sum(axis=1)
    b = Block(rng, start, n, z, sector, region, year, employees, tier, {})
    truth: dict[str, FloatArray] = {}
    _company(b)
    energy(b, truth)
    transport(b, truth)
    _resources(b, truth)
    _practices(b, truth)
    _commitments(b, truth)
    previous_year(b, truth)
    _finance(b)
    truth["evidence"] = evidence_index(truth)
    b.cols["label"] = _label(b, truth["evidence"])
    b.cols["latent_greenness"] = z
    return b, truth


_SECTOR_WEIGHTS = SECTOR_ARRAYS["weight"] / SECTOR_ARRAYS["weight"].sum()
_GROUP_NAMES = np.array([sector.group for sector in P.SECTORS], dtype=object)
_REGION_WEIGHTS = np.array([w for _, w, _ in P.REGIONS]) / sum(w for _, w, _ in P.REGIONS)


def _company(b: Block) -> None:
    rng, n, s = b.rng, b.n, b.sector
    numbers = [f"{i:08d}" for i in range(b.start, b.start + n)]
    groups = _GROUP_NAMES[s].tolist()
    b.text("company__name", np.array([f"Synthetic {g} {i}" for g, i in zip(groups, numbers, strict=True)]))
    b.text("company__external_id", np.array([f"SYN-{i}" for i in numbers]))
    b.text("company__country", "CN")
    b.text("company__currency", "CNY")
    b.text("company__industry_code", b.param("division"))
    b.num("company__employees", b.employees)
    revenue = b.employees * b.param("revenue_per_employee") * np.exp(0.5 * rng.standard_normal(n))
    b.revenue = np.maximum(np.round(revenue, -3), 10_000.0)
    b.num("company__annual_revenue", b.revenue)
    b.num("company__reporting_year", b.year.astype(float))
    codes = np.array([code for code, _, _ in P.REGIONS], dtype=object)
    b.text("company__region", codes[b.region], b.reported("region"))
    area = b.employees * b.param("m2_per_employee") * np.exp(0.4 * rng.standard_normal(n))
    b.area = np.maximum(np.rint(area), 5.0)
    b.num("company__floor_area_m2", b.area, b.reported("floor_area"))
    hours = np.clip(b.param("hours_per_week") * np.exp(0.15 * rng.standard_normal(n)), 10, 168)
    b.num("company__operating_hours_per_week", np.round(hours * 2) / 2, b.reported("hours"))


def _resources(b: Block, truth: dict[str, FloatArray]) -> None:
    rng, n, z = b.rng, b.n, b.z
    water = b.employees * b.param("water_m3_per_employee") * np.exp(-0.15 * z + 0.4 * rng.standard_normal(n))
    b.num("resources__water_m3", np.round(water, 1), b.reported("water"))
    waste = b.employees * b.param("waste_t_per_employee") * np.exp(-0.1 * z + 0.4 * rng.standard_normal(n))
    waste = np.maximum(np.round(waste, 3), 0.01)
    rate = sigmoid(-0.6 + 1.0 * z + 0.6 * rng.standard_normal(n))
    hazardous_max = b.param("hazardous_share_max")
    hazardous = np.round(waste * hazardous_max * rng.uniform(0.1, 1.0, n), 3)
    reported = b.reported("waste")
    b.num("resources__waste_t", waste, reported)
    b.num("resources__waste_recycled_t", np.round(waste * rate, 3), reported & b.reported("waste_recycled"))
    b.num("resources__hazardous_waste_t", hazardous, reported & (hazardous_max > 0) & (rng.random(n) < 0.9))
    truth["recycling_rate"] = rate


def _practices(b: Block, truth: dict[str, FloatArray]) -> None:
    rng, n, z = b.rng, b.n, b.z
    size = np.log(b.employees / 10)
    sells = b.param("sells_goods")
    questionnaire = b.reported("questionnaire")
    total = np.zeros(n)
    for flag, (alpha, beta, gamma) in P.PRACTICES.items():
        logit = alpha + beta * z + gamma * size
        if flag == "digital_ordering":
            logit = logit + b.param("digital_ordering_logit")
        elif flag == "iso14001":
            logit = logit + b.param("iso_bonus")
        elif flag == "green_packaging":
            logit = logit - 1.5 * (~sells)
        has = rng.random(n) < sigmoid(logit)
        total += has
        # platforms (MYbank style) see e-invoices and digital orders in payment data: known more often
        if flag in ("e_invoicing", "digital_ordering"):
            answered = b.reported("practice_platform")
        else:
            answered = questionnaire & (rng.random(n) < P.PRACTICE_ANSWERED)
        b.num(f"practices__{flag}", has.astype(float), answered)
    truth["practice_share"] = total / len(P.PRACTICES)
    mean = sigmoid(-1.6 + 0.8 * z)
    share = np.round(rng.beta(mean * 4, (1 - mean) * 4), 2)
    b.num("practices__green_products_share", share, sells & questionnaire & b.reported("green_products"))


def _commitments(b: Block, truth: dict[str, FloatArray]) -> None:
    """Penalties, targets and retired offsets."""
    rng, n, z = b.rng, b.n, b.z
    size = np.log(b.employees / 10)
    penalties = rng.poisson(np.exp(-3.0 - 0.7 * z + b.param("penalty_bonus"))).astype(float)
    b.num("compliance__environmental_penalties_3y", penalties, b.reported("penalties"))
    truth["penalties"] = np.minimum(penalties, 3)

    has_target = rng.random(n) < sigmoid(-3.0 + 1.2 * z + 0.4 * size)
    shown = has_target & b.reported("targets")
    scopes = np.array([label for label, _ in P.TARGET_SCOPES], dtype=object)
    b.text("targets__0__scopes", scopes[rng.choice(len(scopes), n, p=[w for _, w in P.TARGET_SCOPES])], shown)
    base = b.year - rng.integers(0, 3, n)
    horizon = rng.choice(P.TARGET_HORIZONS, n)
    reduction = np.clip(np.rint(10 + 2.0 * horizon + 6 * z + 5 * rng.standard_normal(n)), 2, 100)
    b.num("targets__0__base_year", base.astype(float), shown)
    b.num("targets__0__target_year", (base + horizon).astype(float), shown)
    b.num("targets__0__reduction_pct", reduction, shown)
    truth["has_target"] = has_target.astype(float)

    has_offsets = (rng.random(n) < sigmoid(-4.5 + 1.2 * z + 0.3 * size)) & b.reported("offsets")
    standard = rng.choice(len(P.OFFSET_STANDARDS), n, p=[w for _, w in P.OFFSET_STANDARDS])
    removal = rng.random(n) < P.OFFSET_REMOVAL_SHARE
    tco2e = np.round(b.emissions_t * rng.uniform(0.05, 1.0, n), 1)
    for i, (name, _) in enumerate(P.OFFSET_STANDARDS):
        for kind, is_removal in (("avoidance", False), ("removal", True)):
            shown = has_offsets & (standard == i) & (removal == is_removal)
            b.num(f"offsets__{name}__{kind}__tco2e", tco2e, shown)


def _finance(b: Block) -> None:
    """Data source (follows the disclosure tier) and a loan for a share of businesses."""
    rng, n = b.rng, b.n
    names = np.array(P.DATA_SOURCE_NAMES, dtype=object)
    source = names[choose(rng, P.DATA_SOURCE_BY_TIER[b.tier])]
    b.text("data_source", source, rng.random(n) < P.DATA_SOURCE_REPORTED)

    has = rng.random(n) < P.LOAN_SHARE
    amount = np.maximum(np.round(b.revenue * rng.uniform(0.05, 0.4, n), -3), 10_000.0)
    outstanding = np.round(amount * rng.uniform(0.1, 1.0, n), -2)
    green = rng.random(n) < sigmoid(-1.2 + 0.8 * b.z)
    uses = np.full(n, P.NON_GREEN_USE, dtype=object)
    profile = b.param("loan_uses")
    for key, options in P.GREEN_USES.items():
        rows = green & (profile == key)
        labels = np.array([u for u, _ in options], dtype=object)
        uses[rows] = labels[rng.choice(len(options), int(rows.sum()), p=[w for _, w in options])]
    # equity + debt around half of revenue, and never less than the loan itself (attribution <= 0.8)
    evic = np.round(b.revenue * np.exp(np.log(0.5) + 0.5 * rng.standard_normal(n)), -3)
    evic = np.maximum(evic, outstanding * 1.25)
    evic_shown = rng.random(n) < 0.6
    assets_shown = ~evic_shown & (rng.random(n) < 0.5)
    b.num("loan__amount", amount, has)
    b.text("loan__currency", "CNY", has)
    b.text("loan__use_of_proceeds", uses, has)
    b.num("loan__outstanding", outstanding, has)
    b.num("loan__borrower_equity_plus_debt", evic, has & evic_shown)
    b.num("loan__borrower_total_assets", np.round(evic * rng.uniform(1.0, 1.3, n), -3), has & assets_shown)


def choose(rng: np.random.Generator, probabilities: FloatArray) -> NDArray[np.intp]:
    """One category per row, each row with its own probabilities (rows of ``probabilities``)."""
    cumulative = np.cumsum(probabilities, axis=1)
    u = rng.random(len(probabilities)) * cumulative[:, -1]
    index: NDArray[np.intp] = np.minimum((u[:, None] >= cumulative).sum(axis=1), probabilities.shape[1] - 1)
    return index


def evidence_index(truth: dict[str, FloatArray]) -> FloatArray:
    """The auditor's standardised evidence ``S``: weighted true behaviours, centred and scaled."""
    evidence = sum(P.LABEL_WEIGHTS[k] * truth[k] for k in P.LABEL_WEIGHTS)
    return np.asarray((evidence - P.LABEL_CENTRE) / P.LABEL_SCALE, dtype=float)


def _label(b: Block, evidence: FloatArray) -> NDArray[np.int64]:
    """Auditor's assessment: Bernoulli(sigmoid(a + b S + noise)), a noisy view of the true behaviours."""
    noise = P.LABEL_NOISE_SD * b.rng.standard_normal(b.n)
    probability = sigmoid(P.LABEL_A + P.LABEL_B * evidence + noise)
    assessed: NDArray[np.int64] = (b.rng.random(b.n) < probability).astype(np.int64)
    return assessed
