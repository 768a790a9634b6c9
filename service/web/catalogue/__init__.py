"""The merchant page's and the printable disclosure's own words, in English and Simplified Chinese, by the
page or area that says them.

The words had shared one 800-line module with the machinery that picks a language and writes numbers in
it (:mod:`service.web.i18n`); by area, a reviewer reads one page's words in both languages in one file.
Each area module holds ``EN`` and ``ZH`` with the same keys, and a key is in one area only
(``tests/service/test_disclosure_api.py`` checks both): a key only in English would print the key itself on
the Chinese page, and a key in two areas would silently take the later one's text. :data:`TEXTS` joins them.
"""

from __future__ import annotations

from collections.abc import Mapping

from service.web.catalogue import disclosure, errors, form_errors, questions, result, shared

#: Each area's words by language: the page or part of a page that says them.
AREAS: Mapping[str, Mapping[str, Mapping[str, str]]] = {
    "shared": {"en": shared.EN, "zh": shared.ZH},
    "questions": {"en": questions.EN, "zh": questions.ZH},
    "form_errors": {"en": form_errors.EN, "zh": form_errors.ZH},
    "result": {"en": result.EN, "zh": result.ZH},
    "disclosure": {"en": disclosure.EN, "zh": disclosure.ZH},
    "errors": {"en": errors.EN, "zh": errors.ZH},
}

#: Every word of the pages by language, keyed as :func:`service.web.i18n.texts` hands them to a page.
TEXTS: Mapping[str, Mapping[str, str]] = {
    lang: {key: text for words in AREAS.values() for key, text in words[lang].items()}
    for lang in ("en", "zh")
}
