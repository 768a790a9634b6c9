"""An indexed factor set and the rules that pick a factor for a country, region and reporting year.

Grid factors differ far more between places (Yunnan 0.107 vs Hebei 0.725 kgCO2/kWh in 2022; a province
up to 73 % off its regional grid's value, Qinghai 0.157 vs Northwest 0.586) than between adjacent years
(national -3.6 % 2021-22 and -1.1 % 2022-23; regional grids -8.0 % to +9.0 % 2022-23, the 2023 release as
Guangming Daily reports it), so selection is *geography first*: the most specific level that has any
factor (province, then regional grid, then national), and within it the exact year, else the nearest earlier
year, else the nearest later one. Every departure from "exact year, exact place" is returned as a sentence,
because a bank reading the rating must see which factor stood in for which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rating_model.exceptions import FactorNotFoundError
from rating_model.factors.records import FactorRecord, Manifest

GRID = "electricity.grid"
GRID_RESIDUAL = "electricity.grid_residual"


@dataclass(frozen=True, slots=True)
class Selection:
    """A chosen factor and, when it is not the exact year and place asked for, why it was still chosen."""

    record: FactorRecord
    fallback: str | None = None
    note: str | None = None
    #: ``fallback`` and ``note`` in Chinese, with the same figures (the IFRS S2 summary's ``value_zh``)
    fallback_zh: str | None = None
    note_zh: str | None = None


#: The residual factor as the MEE/NBS release names it (and the merchant page, and the summary's Scope 2)
RESIDUAL_ZH = "全国电力平均二氧化碳排放因子（不包括市场化交易的非化石能源电量）"
#: The factor sets' notes on a province whose grid region is uncertain (``grid_regions.uncertain``), in
#: Chinese, keyed by the note as the set words it; a note not listed here is said in Chinese from the set's
#: own mapping (:meth:`FactorSet.uncertain_zh`).
_UNCERTAIN_ZH = {
    (
        "Inner Mongolia is split: the west (蒙西) is in the North China grid, the east (蒙东) in the "
        "Northeast grid; mapped to North China."
    ): "内蒙古分属两个电网：西部（蒙西）属华北电网，东部（蒙东）属东北电网；按华北电网计。",
    (
        "Sichuan was in the Central China grid in the older baseline definitions; mapped to Southwest as in "
        "the 2022 release's seven-region list."
    ): "在较早的基准线定义中，四川属华中电网；按 2022 年发布的七大区域电网划分，归入西南电网。",
    (
        "Chongqing was in the Central China grid in the older baseline definitions; mapped to Southwest as "
        "in the 2022 release's seven-region list."
    ): "在较早的基准线定义中，重庆属华中电网；按 2022 年发布的七大区域电网划分，归入西南电网。",
    (
        "Tibet is not in the older baseline definitions; mapped to Southwest (State Grid Southwest branch)."
    ): "较早的基准线定义未包括西藏；归入西南电网（国家电网西南分部）。",
}
#: the Chinese in a grid's name as the sets write it: "East China grid (华东)"
_NAME_ZH = re.compile(r"\(([^()]+)\)")
#: The provinces, municipalities and autonomous regions (ISO 3166-2:CN) by the names a Chinese reader knows
#: them by: the Chinese fallbacks had said "CN-BJ 没有发布省级排放因子", a code a bank's officer or a shop
#: owner has to look up (the merchant form's region choice shows the same names).
REGION_NAMES_ZH = {
    "CN-BJ": "北京", "CN-TJ": "天津", "CN-HE": "河北", "CN-SX": "山西", "CN-NM": "内蒙古", "CN-LN": "辽宁",
    "CN-JL": "吉林", "CN-HL": "黑龙江", "CN-SH": "上海", "CN-JS": "江苏", "CN-ZJ": "浙江", "CN-AH": "安徽",
    "CN-FJ": "福建", "CN-JX": "江西", "CN-SD": "山东", "CN-HA": "河南", "CN-HB": "湖北", "CN-HN": "湖南",
    "CN-GD": "广东", "CN-GX": "广西", "CN-HI": "海南", "CN-CQ": "重庆", "CN-SC": "四川", "CN-GZ": "贵州",
    "CN-YN": "云南", "CN-XZ": "西藏", "CN-SN": "陕西", "CN-GS": "甘肃", "CN-QH": "青海", "CN-NX": "宁夏",
    "CN-XJ": "新疆", "CN-HK": "香港", "CN-MO": "澳门", "CN-TW": "台湾",
}

#: The countries a factor set covers, by their Chinese names ("这些活动没有中国的排放因子", not "没有 CN 的")
COUNTRY_NAMES_ZH = {"CN": "中国"}


#: each factor unit of the factor sets as a Chinese sentence names it (engine 2.12): the grid-factor
#: fallbacks had printed "kgCO2/kWh" inside Chinese, where the merchant page says 千克二氧化碳/千瓦时 (a
#: Chinese owner's reading)
UNITS_ZH = {
    "kgCO2/kWh": "千克二氧化碳/千瓦时",
    "kgCO2e/kWh": "千克二氧化碳当量/千瓦时",
    "kgCO2/kg": "千克二氧化碳/千克",
    "kgCO2/m3": "千克二氧化碳/立方米",
    "kgCO2e/m3": "千克二氧化碳当量/立方米",
    "kgCO2e/km": "千克二氧化碳当量/公里",
    "kgCO2e/pkm": "千克二氧化碳当量/人公里",
    "kgCO2e/t": "千克二氧化碳当量/吨",
    "kgCO2e/kg": "千克二氧化碳当量/千克",
    "tCO2/GJ": "吨二氧化碳/吉焦",
    "kWh/km": "千瓦时/公里",
    "km/vehicle/yr": "公里/辆/年",
}


def unit_zh(unit: str) -> str:
    """A factor's unit in Chinese words (:data:`UNITS_ZH`); a unit not listed stays as it is."""
    return UNITS_ZH.get(unit, unit)


def place_zh(region: str) -> str:
    """A region as a Chinese sentence names it: its name with the code the rating carries beside it
    ("浙江（CN-ZJ）"), so the sentence reads and can still be matched to ``company.region``; a code not
    known here stays as it is."""
    name = REGION_NAMES_ZH.get(region)
    return f"{name}（{region}）" if name else region


def _pick_year(years: dict[int, FactorRecord], year: int) -> FactorRecord:
    if year in years:
        return years[year]
    earlier = [y for y in years if y < year]
    return years[max(earlier)] if earlier else years[min(years)]


class FactorSet:
    """A validated factor set with lookup tables built once, so per-request selection is dictionary access.

    Parameters
    ----------
    manifest:
        The set's manifest.
    records:
        Every factor record of the set.
    grid_regions:
        The province-to-grid table (``members``, ``names``, ``uncertain``, ``not_covered``, ``aliases``).
    """

    def __init__(
        self, manifest: Manifest, records: tuple[FactorRecord, ...], grid_regions: dict[str, Any]
    ) -> None:
        self.manifest = manifest
        self.version = manifest.version
        self.records = records
        self.grid_regions = grid_regions
        #: ids of the records no primary source confirms (quality ``unverified``): a rating says so
        self.unverified = frozenset(r.id for r in records if r.quality == "unverified")
        self._single: dict[str, FactorRecord] = {}
        self._series: dict[tuple[str, str], dict[int, FactorRecord]] = {}
        for record in records:
            if record.activity in (GRID, GRID_RESIDUAL) or record.activity.startswith("electricity."):
                if record.year is None:
                    continue
                self._series.setdefault((record.activity, record.region), {})[record.year] = record
            else:
                self._single[record.activity] = record
        self._members: dict[str, str] = grid_regions.get("members", {})
        self._names: dict[str, str] = grid_regions.get("names", {})
        self._uncertain: dict[str, str] = grid_regions.get("uncertain", {})
        self._not_covered: dict[str, str] = grid_regions.get("not_covered", {})
        self._aliases: dict[str, str] = grid_regions.get("aliases", {})
        self._grid_cache: dict[tuple[str, str | None, int], Selection] = {}
        self._residual_cache: dict[tuple[str, int, str | None], Selection | None] = {}

    @property
    def singles(self) -> dict[str, FactorRecord]:
        """Non-grid factors by activity (read-only by convention; the inventory reads it directly)."""
        return self._single

    def covers(self, country: str) -> bool:
        """Whether the set has grid factors for ``country`` (ISO 3166-1 alpha-2)."""
        return country in self.manifest.countries

    def get(self, activity: str, *, field: str | None = None) -> FactorRecord:
        """The single factor of a non-grid activity (``fuel.diesel``, ``travel.rail`` ...).

        A missing factor raises :class:`FactorNotFoundError` naming ``field``.
        """
        record = self._single.get(activity)
        if record is None:
            raise FactorNotFoundError(
                f"factor set {self.version} has no factor for {activity!r}", field=field
            )
        return record

    def canonical_region(self, region: str) -> str:
        """An ISO 3166-2 code in its current letter form (``CN-33`` -> ``CN-ZJ``)."""
        return self._aliases.get(region, region)

    def grid(self, country: str, region: str | None, year: int) -> Selection:
        """The location-based grid factor for a place and reporting year (cached per combination).

        Raises
        ------
        FactorNotFoundError
            The set has no grid factors for ``country`` (``field="company.country"``).
        """
        key = (country, region, year)
        found = self._grid_cache.get(key)
        if found is None:
            found = self._grid_cache[key] = self._select_grid(country, region, year)
        return found

    def outside_grid(self, region: str | None) -> bool:
        """Whether ``region`` is a place of a covered country whose grid the set does not cover (CN-HK)."""
        return region is not None and self.canonical_region(region) in self._not_covered

    def residual(self, country: str, year: int, region: str | None = None) -> Selection | None:
        """The residual-mix factor for market-based Scope 2, or ``None`` when the country publishes none.

        The residual factor (grid average excluding market-traded non-fossil power) is published for the
        whole country only, so a business that gives its province gets the national value, and that
        departure from its place is stated like a departure from its year.
        """
        key = (country, year, region)
        if key not in self._residual_cache:
            years = self._series.get((GRID_RESIDUAL, country))
            if not years:
                self._residual_cache[key] = None
            else:
                record = _pick_year(years, year)
                departures: list[tuple[str, str]] = []
                if region:
                    departures.append((
                        f"asked for {region}; no residual factor is published for {region} or its regional "
                        "grid (national only)",
                        f"所需为{place_zh(region)}的因子，但该因子只发布全国数值，"
                        f"{place_zh(region)}及其所属区域电网没有单独发布",
                    ))
                if record.year != year:
                    departures.append((
                        f"no {year} residual factor (grid average excluding market-traded non-fossil "
                        f"power) for {country}",
                        f"没有{COUNTRY_NAMES_ZH.get(country, f' {country}')} {year} 年的该因子",
                    ))
                fallback = fallback_zh = None
                if departures:
                    fallback = (
                        f"market-based Scope 2: {'; '.join(en for en, _ in departures)}, used the national "
                        f"residual factor {record.year} ({record.value:g} {record.unit})"
                    )
                    fallback_zh = (
                        f"基于市场的范围二按{RESIDUAL_ZH}计算：{'；'.join(zh for _, zh in departures)}，"
                        f"采用 {record.year} 年的全国数值（{record.value:g} {unit_zh(record.unit)}）"
                    )
                self._residual_cache[key] = Selection(record, fallback, None, fallback_zh)
        return self._residual_cache[key]

    def _label(self, level: str) -> str:
        if level.startswith("CN:grid:"):
            return self._names.get(level.rsplit(":", 1)[1], level)
        if level == "CN" or len(level) == 2:
            return "national average"
        return f"{level} provincial factor"

    def _label_zh(self, level: str) -> str:
        """:meth:`_label` in Chinese, as it stands before 排放因子: 华东电网 (from the set's "East China grid
        (华东)"), 全国平均, "浙江（CN-ZJ）的省级"."""
        if level.startswith("CN:grid:"):
            name = self._names.get(level.rsplit(":", 1)[1], level)
            found = _NAME_ZH.search(name)
            return f"{found.group(1)}电网" if found else name
        if level == "CN" or len(level) == 2:
            return "全国平均"
        return f"{place_zh(level)}的省级"

    def uncertain_zh(self, region: str, code: str) -> str:
        """The set's note on ``region``'s uncertain grid region (``code`` its canonical form) in Chinese: the
        translation of the note as the set words it, else what the set maps it to."""
        known = _UNCERTAIN_ZH.get(self._uncertain[code])
        if known is not None:
            return f"{place_zh(region)}所属区域电网：{known}"
        grid = self._label_zh(f"CN:grid:{self._members[code]}")
        return f"{place_zh(region)}所属区域电网不确定，按{grid}计（见排放因子集的区域电网说明）"

    def _select_grid(self, country: str, region: str | None, year: int) -> Selection:
        if not self.covers(country):
            raise FactorNotFoundError(
                f"no grid emission factors for country {country!r} in factor set {self.version} "
                f"(covers {', '.join(self.manifest.countries)}); give energy.grid_factor with its source",
                field="company.country",
            )
        levels: list[str] = []
        note = note_zh = None
        if region:
            code = self.canonical_region(region)
            # A code the set does not know, or a place outside the grid it covers, is refused, not priced
            # at the national average: a typo (CN-YM for Yunnan) changed the factor with only a fallback note.
            if code in self._not_covered:
                raise FactorNotFoundError(
                    f"{region}: {self._not_covered[code]} Factor set {self.version} does not cover its grid: "
                    "give energy.grid_factor with its source",
                    field="company.region",
                )
            if code not in self._members:
                raise FactorNotFoundError(
                    f"{region} is not a province-level code of {country} that factor set {self.version} "
                    f"knows (ISO 3166-2: {', '.join(sorted(self._members))})",
                    field="company.region",
                )
            levels = [code, f"{country}:grid:{self._members[code]}"]
            if code in self._uncertain:
                note = f"grid region of {region}: {self._uncertain[code]}"
                note_zh = self.uncertain_zh(region, code)
        levels.append(country)
        for level in levels:
            years = self._series.get((GRID, level))
            if not years:
                continue
            record = _pick_year(years, year)
            fallback, fallback_zh = self._fallback(region, year, level, record, national=level == country)
            on_grid = ":grid:" in level
            return Selection(record, fallback, note if on_grid else None, fallback_zh,
                             note_zh if on_grid else None)
        raise FactorNotFoundError(
            f"factor set {self.version} has no grid factor for {country}", field="company.country"
        )

    def _fallback(
        self,
        region: str | None,
        year: int,
        level: str,
        record: FactorRecord,
        national: bool,
    ) -> tuple[str | None, str | None]:
        """Why the factor chosen is not the exact year and place asked for, in English and in Chinese (two
        ``None`` when it is)."""
        used = f"{self._label(level)} {record.year} ({record.value:g} {record.unit})"
        label_zh = self._label_zh(level)
        spaced = " " if label_zh[:1].isascii() else ""  # a code without a name: "2022 年 CN-99的省级…"
        used_zh = f"{record.year} 年{spaced}{label_zh}排放因子（{record.value:g} {unit_zh(record.unit)}）"
        if region is None:
            missing = "" if record.year == year else f"; no {year} factor, nearest year used"
            missing_zh = "" if record.year == year else f"；没有 {year} 年的排放因子，采用了最接近的年份"
            return (f"grid factor: no company.region given, used the {used}{missing}",
                    f"电网排放因子：未填报所在省份，采用 {used_zh}{missing_zh}")
        place = place_zh(region)
        # "浙江（CN-ZJ）2025 年": a full-width bracket sets the year apart; a bare code needs a space
        year_zh = f"{'' if place.endswith('）') else ' '}{year} 年"
        if national:
            return (f"grid factor: no factor for {region} or its regional grid, used the {used}",
                    f"电网排放因子：没有{place}或其所属区域电网的排放因子，采用 {used_zh}")
        if ":grid:" in level:
            # The factor set holds no factor for the province, so its regional grid's stands in: that is
            # the practice (domain.md s.6), but still a different place from the one asked for. It said
            # "no provincial factor is published", which is untrue: MEE/NBS published provincial factors
            # for 2021 to 2023, and the set holds only some of them (engine 2.8, a GHG auditor's review).
            other_year = "" if record.year == year else f"; no {year} factor for {region}"
            other_year_zh = "" if record.year == year else f"，也没有{place}{year_zh}的排放因子"
            version = self.manifest.version
            return (
                f"grid factor: asked for {region} {year}; factor set {version} holds no provincial factor "
                f"for {region}{other_year}, used the {used}",
                f"电网排放因子：所需为{place}{year_zh}的排放因子；排放因子集 {version} "
                f"未收录{place}的省级排放因子{other_year_zh}，采用 {used_zh}",
            )
        if record.year != year:
            return (f"grid factor: no {year} factor for {region}, used the {used}",
                    f"电网排放因子：没有{place}{year_zh}的排放因子，采用 {used_zh}")
        return None, None

    def to_dict(self) -> dict[str, Any]:
        """The whole set with provenance, as served by ``GET /v1/emission-factors``."""
        m = self.manifest
        return {
            "version": m.version,
            "released": m.released,
            "description": m.description,
            "gwp_basis": m.gwp_basis,
            "countries": list(m.countries),
            "region_scheme": m.region_scheme,
            "year_scheme": m.year_scheme,
            "not_available": [dict(item) for item in m.not_available],
            "grid_regions": self.grid_regions,
            "records": [r.to_dict() for r in self.records],
        }
