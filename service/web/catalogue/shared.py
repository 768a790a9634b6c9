"""Words more than one page says: the title and language switch, the grades, the score and the scopes,
the company facts both the form and the disclosure name, and the punctuation between them.

The result page and the printable disclosure name a grade or a scope alike, and Chinese punctuation is not
English's (``：`` for ``: ``, ``（`` for `` (``); said once here, a page's own words stay in its area module.
"""

from __future__ import annotations

from collections.abc import Mapping

EN: Mapping[str, str] = {
    "title": "Your green rating",
    "employees": "Employees",
    "grade": "Grade",
    "score": "Score",
    "scope1": "Scope 1",
    "scope2": "Scope 2 (location)",
    "scope2m": "Scope 2 (market)",
    "scope3": "Scope 3",
    "switch": "中文",
    "yes": "yes",
    "status_disclosed": "disclosed",
    "status_not_applicable": "not applicable",
    "status_not_available": "not available",
    "rating_id": "Rating",
    "issued": "Issued",
    "grade_dark_green": "Dark green",
    "grade_green": "Green",
    "grade_light_green": "Light green",
    "grade_not_green": "Not green",
    "language": "Language",
    "colon": ": ",
    "comma": ", ",
    "semicolon": "; ",
    "paren_open": " (",
    "paren_close": ")",
    "tco2e": "t CO2e",
    "floor_area": "Floor area (m²)",
    "list_sep": "; ",
    # between two sentences in running text: a Chinese sentence ends in "。" and takes no space after it
    "sentence_sep": " ",
}

ZH: Mapping[str, str] = {
    "title": "您的绿色评级",
    "employees": "员工人数",
    "grade": "等级",
    "score": "得分",
    "scope1": "范围一",
    "scope2": "范围二（基于位置）",
    "scope2m": "范围二（基于市场）",
    "scope3": "范围三",
    "switch": "English",
    "yes": "是",
    "status_disclosed": "已披露",
    "status_not_applicable": "不适用",
    "status_not_available": "暂无数据",
    "rating_id": "评级编号",
    "issued": "出具日期",
    "grade_dark_green": "深绿",
    "grade_green": "中绿",
    "grade_light_green": "浅绿",
    "grade_not_green": "非绿",
    "language": "语言",
    "colon": "：",
    "comma": "，",
    "semicolon": "；",
    "paren_open": "（",
    "paren_close": "）",
    "tco2e": "吨二氧化碳当量",
    "floor_area": "经营面积（平方米）",
    "list_sep": "；",
    "sentence_sep": "",
}
