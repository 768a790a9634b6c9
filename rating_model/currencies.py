"""ISO 4217 currency codes: the one list ``company.currency`` and ``loan.currency`` are checked against.

The codes are data (``data/iso4217.json``, which cites its source), read once at import. A PCAF audit
found the fields checked only for three capital letters: ``RMB`` (the renminbi's common abbreviation, not
its code, which is ``CNY``) was rated as a currency of its own, its rate to CNY taken on trust. The API's
schema (:mod:`schemas.operating_data`) and the engine's reader (which the batch goes through) both ask
:func:`currency_problem`, so the two layers refuse the same codes with the same words.

``CNH`` is refused as ``RMB`` is, with the code to send: it is the market's name for the renminbi traded
offshore (Hong Kong), not a code of ISO 4217's list (``data/iso4217.json`` has ``CNY``, Yuan Renminbi, and
no CNH), which gives the renminbi one code wherever it is held. Sent as ``CNY``, an offshore loan's yuan
are counted at par with onshore ones (``fx_to_cny`` beside CNY must be 1): the two markets' rates differ
by a spread, not by a conversion the engine could source. A bank's core system sends CNH for offshore
books; told only "not a code", it could not know that CNY is what it should send.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

from rating_model.exceptions import ArtifactError

DATA_FILE: Final = Path(__file__).resolve().parent / "data" / "iso4217.json"

#: names of a currency that are not its code, with what to send instead (said after "... is not one")
_NOT_CODES: Final[dict[str, str]] = {
    "RMB": "send CNY",
    "CNH": ("it is the offshore market's name for the renminbi, whose ISO 4217 code is CNY wherever it is "
            "held: send CNY (offshore yuan are counted at par with onshore ones)"),
}


def _load(path: Path = DATA_FILE) -> tuple[frozenset[str], frozenset[str]]:
    """(current codes, codes withdrawn from List One) of the data file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        current = frozenset(str(entry["code"]) for entry in document["current"])
        withdrawn = frozenset(str(entry["code"]) for entry in document["withdrawn"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ArtifactError(f"{path.name} cannot be read ({exc})") from exc
    if not current or current & withdrawn or any(len(c) != 3 or not c.isascii() or not c.isupper()
                                                   for c in current | withdrawn):
        raise ArtifactError(f"{path.name}: every code is three capital letters, in one list only")
    return current, withdrawn


_CURRENT, _WITHDRAWN = _load()
#: every accepted code: ISO 4217 List One, and codes withdrawn from it lately (a reporting year before
#: the change still reports in them)
CURRENCIES: Final[frozenset[str]] = _CURRENT | _WITHDRAWN
#: the accepted codes in alphabetical order (the API's published ``enum``)
CURRENCY_CODES: Final[tuple[str, ...]] = tuple(sorted(CURRENCIES))


def currency_problem(code: str) -> str | None:
    """Why ``code`` is not an accepted currency code (``None`` when it is), in words that say what to send.

    >>> currency_problem("usd")
    'must be an ISO 4217 currency code in capital letters: USD'
    """
    if code in CURRENCIES:
        return None
    stripped = code.strip()
    if stripped in CURRENCIES:  # the engine strips text before it checks it; the API's schema does not
        return f"must be the code alone, without spaces around it: {stripped}"
    upper = stripped.upper()
    if upper in CURRENCIES:
        return f"must be an ISO 4217 currency code in capital letters: {upper}"
    if upper in _NOT_CODES:
        return f"must be an ISO 4217 currency code: {upper} is not one, {_NOT_CODES[upper]}"
    return "must be an ISO 4217 currency code (List One, e.g. CNY, USD, EUR)"
