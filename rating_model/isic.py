"""ISIC Rev. 4 codes: the one list ``company.industry_code`` is checked against.

The codes are data (``data/isic_rev4.json``, the UN Statistics Division's structure file, which cites its
source), read once at import through the published-files check (:mod:`rating_model.published`). The issue
that specifies the engine asks an unknown sector to be a typed error naming the field; only the first two
digits had been checked (the division, by the sector benchmarks' table), so ``9999`` (division 99 has the
one class 9900) was rated as an extraterritorial body, and a code whose leading zero a spreadsheet had
dropped (``111`` for ``0111``, growing of cereals) as a beverage maker of division 11. A division (2 digits),
a group (3) or a class (4) of the list is taken; a section (a letter) is not a code here, as it spans many
benchmark sectors. The API's schema (:mod:`schemas.operating_data`) and the engine's reader (which every
batch row goes through) both ask :func:`industry_code_problem`, so the two layers refuse the same codes with
the same words.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path
from typing import Final

from rating_model.exceptions import ArtifactError
from rating_model.operating_data import INDUSTRY_PATTERN
from rating_model.published import verified_bytes

DATA_FILE: Final = Path(__file__).resolve().parent / "data" / "isic_rev4.json"
#: the name of each level by the length of its codes
_LEVELS: Final = {2: "division", 3: "group", 4: "class"}


def _load(path: Path = DATA_FILE) -> dict[str, str]:
    """The title of each division, group and class of the data file, by code (sections left out)."""
    try:
        document = json.loads(verified_bytes(path, ArtifactError))
        rows = [(str(entry["code"]), str(entry["title"])) for entry in document["codes"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ArtifactError(f"{path.name} cannot be read ({exc})") from exc
    if len({code for code, _ in rows}) != len(rows):
        raise ArtifactError(f"{path.name}: a code is listed twice")
    codes = {code: title for code, title in rows if not (len(code) == 1 and "A" <= code <= "Z")}
    for code in codes:
        # every group lies in a listed division, every class in a listed group: the messages name them
        if INDUSTRY_PATTERN.fullmatch(code) is None or (len(code) > 2 and code[:-1] not in codes):
            raise ArtifactError(f"{path.name}: {code!r} is not a division, group or class of the list")
    if not any(len(code) == 4 for code in codes):
        raise ArtifactError(f"{path.name}: no classes")
    return codes


_TITLES: Final = _load()
#: every accepted code, sorted: the divisions (2 digits), groups (3) and classes (4) of ISIC Rev. 4
INDUSTRY_CODES: Final[tuple[str, ...]] = tuple(sorted(_TITLES))


def industry_title(code: str) -> str | None:
    """The UN's English title of a division, group or class (``"5610"`` -> restaurants); ``None`` if none."""
    return _TITLES.get(code)


def codes_wholly_within(divisions: Collection[str], classes: Collection[str]) -> frozenset[str]:
    """Every listed code (division, group or class) whose classes all lie in ``divisions`` or ``classes``.

    A business may give its industry at any of the three levels, and a rule naming classes must still
    catch it at a coarser one when nothing else is under it: group 473 holds class 4730 alone (retail
    sale of automotive fuel), so ``"473"`` is within class 4730, while group 466 (other specialised
    wholesale) spans far more than class 4661 and is not within it.
    """
    under: dict[str, list[str]] = {}
    for code in INDUSTRY_CODES:
        if len(code) == 4:
            for prefix in (code[:2], code[:3], code):
                under.setdefault(prefix, []).append(code)
    return frozenset(
        code for code, members in under.items()
        if all(member[:2] in divisions or member in classes for member in members)
    )


def _within(parent: str, length: int) -> str:
    """The codes of ``length`` digits under ``parent``, listed."""
    return ", ".join(code for code in INDUSTRY_CODES if len(code) == length and code.startswith(parent))


def industry_code_problem(code: str) -> str | None:
    """Why ``code`` is not a division, group or class of ISIC Rev. 4 (``None`` when it is), in words that
    say what the nearest listed level holds: ``"4735"`` is told the classes of group 473 (4730), ``"9999"``
    the groups of division 99 (990), ``"00"`` that there is no division 00, and ``"111"`` also that 0111
    is growing of cereals, in case a spreadsheet dropped its leading zero.

    Text that is not 2-4 digits is left to :data:`~rating_model.operating_data.INDUSTRY_PATTERN` (both
    layers check it, each in its own words), so a code is refused once, not twice.
    """
    if code in _TITLES or INDUSTRY_PATTERN.fullmatch(code) is None:
        return None
    head = f"must be a division (2 digits), group (3) or class (4) of ISIC Rev. 4: {code} is not one"
    division, parent = code[:2], code[:-1]
    if division not in _TITLES:
        nearest = f"there is no division {division}"
    elif parent in _TITLES:  # a group of a listed division, or a class of a listed group
        level = _LEVELS[len(code)]
        plural = "classes" if level == "class" else f"{level}s"
        nearest = f"the {plural} of {_LEVELS[len(parent)]} {parent}: {_within(parent, len(code))}"
    else:
        nearest = f"division {division} has no group {parent}, its groups: {_within(division, 3)}"
    zero = "0" + code
    if zero in _TITLES:  # a spreadsheet reads 0111 as the number 111
        nearest += f" (if a leading zero was lost: {zero} is {_TITLES[zero].lower()})"
    return f"{head}; {nearest}"
