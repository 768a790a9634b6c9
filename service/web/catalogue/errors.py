"""A request the page cannot serve: the error page, and the form sent back whole with one message above it
(expired or not sent from the page, too many ratings or PDFs from one address, nothing recorded).

Not a field's refusal (:mod:`service.web.catalogue.form_errors`): these say the request, not an answer,
was refused, and what to do next.
"""

from __future__ import annotations

from collections.abc import Mapping

EN: Mapping[str, str] = {
    "too_many": "Too many ratings from your address; please try again in {wait}.",
    "too_many_pdf": "Too many PDF downloads from your address; please try again in {wait}.",
    "wait_seconds": "{n} seconds",
    "wait_minutes": "{n} minutes",
    "csrf": "The form expired or was not sent from this page; please submit it again.",
    "error_title": "Something went wrong",
    "error_not_found": "This page does not exist: the link may be mistyped, or the rating was not made here.",
    # what to do about it: the form takes nothing long but the business name
    "error_too_large": "The form sent was too large: shorten the longest answer, such as the business name, "
    "and send it again.",
    # "served" is the server's word; the code is said as an error's, which an owner can quote
    "error_generic": "The request could not be completed (error {code}).",
    "error_back": "Back to the rating form",
    "error_back_result": "Back to your green rating",
    "error_unavailable": "The service cannot reach its records just now. Please try again in a few minutes.",
    "form_unavailable": "The service cannot record ratings just now, so nothing was saved; your answers are "
    "still here. Please try again in a few minutes.",
    # the records were lost after the rating's COMMIT was sent: it may have been recorded (the API's 503 says
    # the same since service.lost_answers); the same answers sent again are shown with that rating
    "form_unavailable_recorded": "The service could not finish recording your rating, so it may have been "
    "saved; your answers are still here. Sending them again is safe: answers rated already are shown with "
    "that rating, not rated twice. Please try again in a few minutes.",
    "error_reference": "If you ask for help, quote this reference:",
}

ZH: Mapping[str, str] = {
    # a space before the figure as after it ("请 60 秒后再试"), as every figure among the page's Chinese
    # words has: "请60 秒" had one side only
    "too_many": "评级请求过于频繁，请 {wait}后再试。",
    "too_many_pdf": "PDF 下载过于频繁，请 {wait}后再试。",
    "wait_seconds": "{n} 秒",
    "wait_minutes": "{n} 分钟",
    "csrf": "表单已过期或并非从本页提交，请重新提交。",
    "error_title": "出错了",
    "error_not_found": "此页面不存在：链接可能有误，或该评级并非在此生成。",
    "error_too_large": "提交的表单过大：请缩短过长的内容（例如店铺名称）后重新提交。",
    "error_generic": "请求无法完成（{code}）。",
    "error_back": "返回评级表单",
    "error_back_result": "返回您的绿色评级",
    "error_unavailable": "服务暂时无法读取记录，请几分钟后再试。",
    "form_unavailable": "服务暂时无法记录评级，本次未保存任何内容；您填写的内容仍在下方。请几分钟后再试。",
    "form_unavailable_recorded": "服务未能完成评级的记录，评级可能已经保存；您填写的内容仍在下方。"
    "可以放心再次提交：已评过的相同内容会直接显示原评级，不会重复评级。请几分钟后再试。",
    "error_reference": "如需帮助，请提供此编号：",
}
