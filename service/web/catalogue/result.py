"""The result page: the grade and how its points add up, the reasons, the improvement plan and what holds
the next grade back, the emissions with the notes on how each figure was obtained, and what the rating means
for a green loan.

An owner's words, not a bank's: the printable disclosure a bank reads has its own in
:mod:`service.web.catalogue.disclosure`.
"""

from __future__ import annotations

from collections.abc import Mapping

EN: Mapping[str, str] = {
    # the year the rating is of (company.reporting_year, as stored): the page had named none
    "rated_year": "This rating is of your figures for {year}.",
    # after the plan's green-power step: certificates count only for the electricity of their own year
    "green_power_year": " (for your {year} electricity: green electricity bought for another year does not "
    "count)",
    "pillars": "How your points add up",
    "emissions": "Your yearly carbon footprint (t CO2e)",
    "reasons": "Why this grade",
    "plan": "Your improvement plan",
    "points": "points",
    "saves": "saves {t} t CO2e a year",
    "adds": "adds {t} t CO2e a year (at your grid's average)",
    # data quality on a scale an owner reads without knowing PCAF (the disclosure names it for the bank)
    "estimated": "Estimated from businesses like yours, because you did not give them on the form: "
    "{fields}. Data quality: {pcaf} on a scale from 1 (all measured) to 5 (mostly estimated).",
    # inputs with emissions left out (the rating's emissions.missing): "nothing estimated" alone read as
    # complete data
    "not_reported": "Not reported, and not estimated either, so left out of your emissions: {fields}.",
    "nothing_estimated": "Nothing was estimated. Data quality: {pcaf} on a scale from 1 (all measured) to "
    "5 (mostly estimated).",
    "assumed": "Taken at a typical value, because you did not give it on the form: {fields}.",
    "pcaf_only": "Data quality: {pcaf} on a scale from 1 (all measured) to 5 (mostly estimated).",
    "disclosure": "Disclosure for your bank",
    "download_pdf": "Download PDF",
    "open_html": "Printable page",
    # what each is for: an owner who has never met "JSON" or "VSME" hands them on, not opens them
    "open_json": "JSON (for a bank's systems)",
    "open_vsme": "VSME export (the EU's reporting format for small businesses)",
    "rate_again": "Rate again",
    "positive": "positive",
    "next_together": "Starting with the cheapest actions, these together raise your score to {score} "
    "({grade}):",
    "next_one": "Starting with the cheapest actions, this one raises your score to {score} ({grade}):",
    "next_alone": "Alternatively, “{action}” alone reaches {grade}.",
    # a step of the path to the next grade: what it adds after the steps before it (schema 1.10)
    "step_first": "{gain} points",
    "step_then": "then {gain} points",
    "steps_add_up": "Each step is counted after the ones before it, so the steps add up from your {score} "
    "points now to {after}.",
    "steps_alone": "The plan above gives each action's points on its own, which differ where actions raise "
    "the same part of your score.",
    "held_back": "Why the next grade is out of reach for now:",
    # held back by the activity itself (standard 1.12.0: a petrol station), which no change lifts: not
    # "for now", as the green-loan line says (service.web.view.loan.lasting_knock_outs)
    "held_back_lasting": "Why the next grade is out of reach:",
    "unanswered": "Some optional questions were left unanswered. An unanswered question never scores more "
    "than its worst answer, so answering it can only add to that question's points. Your total score can "
    "still go down if an answer changes another figure: for example, your floor area changes how your "
    "energy use compares with similar businesses.",
    "overlap": "{actions} all raise “{indicator}”: together they earn at most {most} points, not {total}.",
    "no_plan": "None of the actions this standard models raises your score.",
    "negative": "negative",
    # Scope 1 says the vehicles' fuel is in it: the form asks them apart from the fuel burned on site, and an
    # owner with a van looked for its emissions in vain
    # one sentence of 80 words with "location-based", "market-based" and "residual factor" in it: short
    # sentences, each of Scope 2's two figures by the word its row in the table above has
    "scopes_explained_factors": "Scope 1 is the fuel you burn yourself (on the premises and in your "
    "vehicles). Scope 2 is the electricity you buy, counted in two ways. Location: all of it at your grid's "
    "average, {grid} kg CO2 per kWh. Market: the green electricity you bought counts as zero, and the rest "
    "counts at {residual} kg CO2 per kWh, the national average without the non-fossil electricity traded on "
    "the market; so the market figure can be higher than the location figure. Scope 3 is your water, "
    "waste and business travel.",
    # Scope 2's market figure as the scopes note names it ("Market: ..."), without "market-based"
    "basis_scope12_market": "Scope 1 + Scope 2 market figure",
    "heat_in_scope2": " The heat you bought ({gj} GJ) is in Scope 2 as well, the same on both bases: {t} t "
    "CO2e.",
    "refrigerant_in_scope1": " The refrigerant recharged ({kg} kg), which replaced what leaked, is in Scope "
    "1: {t} t CO2e.",
    # green instruments of another year than the one rated (schema 1.13): the market figure above counts
    # them as grid electricity, where the sentence before says green electricity counts as zero
    "green_vintage_not_counted": " Your green electricity ({kwh} kWh) is of {vintage}, not {year}, the year "
    "rated: green certificates count only for the electricity of their own year, so the market figure "
    "counts it like the rest of your electricity.",
    "reaches_grade": "reaches {grade}",
    # {business}: what the business is called beside its peers (the Chinese page says 店铺 or 企业)
    "business_shop": "business",
    "business_firm": "business",
    "same_as_peers": "about the same as similar businesses",
    "less_energy": "{off} less energy than similar businesses",
    "more_energy": "{off} more energy than similar businesses",
    "less_water": "{off} less water than similar businesses",
    "more_water": "{off} more water than similar businesses",
    "from_bill": "Your electricity use was worked out from your bill ({spend} yuan) at {tariff} yuan per "
    "kWh, the tariff assumed by this rating's standard ({standard}): about {kwh} kWh. That tariff is "
    "greenrate's assumption, not a published figure: to avoid it, give the kWh shown on your bills.",
    "completeness_on_form": "Floor area, water, waste and last year's electricity, fuel, heat and vehicles "
    "can be given under “More details” on the rating form.",
    "previous_on_form": "Last year's electricity, fuel, heat and vehicles can be given under “More details” "
    "on the rating form.",
    # the recycling rate's 18.8 points wait on the year's waste, which the short form does not ask
    "waste_on_form": "The year's waste, and the part of it recycled, can be given under “More details” on "
    "the rating form.",
    "pillar": "Part of the standard",
    "ladder": "Grades by score",
    "ladder_from": "from {score}",
    "ladder_below": "below {score}",
    "ladder_gap": "{points} more points reach {grade}.",
    # the knock-outs that apply, under the grades (service.web.view.plan.grade_caps): a salon scoring 63.3
    # read "Light green" beside "Green: from 60" with nothing near it saying why
    "caps_binding": "Your score of {score} would be {grade}, but the grade is capped:",
    "caps_apply": "Whatever points it earns, this rating's grade is capped:",
    "cap_line": "{name}: the grade can be {grade} at most.",
    # {heading}: the held-back list's heading (held_back or held_back_lasting) without its colon
    "cap_below": "What lifts it is said below, under “{heading}”.",
    "cap_below_lasting": "Why nothing lifts it is said below, under “{heading}”.",
    "scopes_explained": "Scope 1 is the fuel you burn yourself (on the premises and in your vehicles). "
    "Scope 2 is the electricity you buy, counted in two ways. Location: all of it at your grid's average. "
    "Market: the green electricity you bought counts as zero. Scope 3 is your water, waste and business "
    "travel.",
    "scope": "Source of emissions",
    "total_line": "Total: {total} t CO2e.",
    "green_loan": "Green loans",
    "loan_eligible": "Rated {grade}, you can apply for green loans that finance a green project, such as "
    "energy efficiency or renewable energy: show this rating (or its disclosure) to your bank.",
    "loan_preferential": "As a green-rated business you may also get your bank's preferential terms on an "
    "ordinary business loan.",
    "loan_blocked": "Green loans are not available for now: {reasons}.",
    "loan_excluded": "Green loans are not available to this business: {reasons}.",
    "loan_eligible_not_green": "Although this business is rated {grade}, you can still apply for green loans "
    "that finance a green project, such as energy efficiency or renewable energy: show this rating (or its "
    "disclosure) to your bank.",
    "loan_below": "Green loans need grade {min} or better; this business is rated {grade}. The plan below "
    "shows the cheapest way up.",
    "knock_out_excluded_activity": "the business's activity is excluded from green finance",
    "knock_out_environmental_penalty": "an environmental penalty in the last three years",
    "knock_out_repeated_environmental_penalties": "repeated environmental penalties in the last three years",
    "knock_out_insufficient_data": "incomplete data",
    "knock_out_coal_burned_on_site": "coal is burned on the premises",
    # the change on last year computed but not scored (an input the standard asks left out)
    "change_unscored": "On the figures given for both years, Scope 1 and 2 emissions {moved} on last year; "
    "the change is not scored until the figures above are reported.",
    "change_fell": "fell by {t} t CO2e",
    "change_rose": "rose by {t} t CO2e",
    "change_same": "stayed the same",
    "no_vehicles_unscored": "{name}: no vehicles (your answer); the standard this rating used ({standard}) "
    "does not yet score “no vehicles”, so it counts as unknown: {earned}.",
    "no_vehicles_scored": "{name}: no vehicles, scored as a fleet with no combustion vehicle: {earned}.",
    "held_no_vehicles": "{name}: you answered “no vehicles”; the standard this rating used ({standard}) does "
    "not yet score that answer, so its {points} points cannot be earned by reporting anything.",
}

ZH: Mapping[str, str] = {
    "rated_year": "本次评级针对您 {year} 年的数据。",
    "green_power_year": "（须为 {year} 年的用电，其他年份的绿证或绿电不计入）",
    "pillars": "各维度得分情况",
    "emissions": "您每年的碳排放（吨二氧化碳当量）",
    "reasons": "评级理由",
    "plan": "改进计划",
    "points": "分",
    "saves": "每年减排 {t} 吨二氧化碳当量",
    "adds": "每年增加 {t} 吨二氧化碳当量排放（按所在电网平均排放因子计）",
    "estimated": "以下数据表单中未提供，按同类{business}估算：{fields}。"
    "数据质量：{pcaf}（从 1 全部实测到 5 大部分估算）。",
    "not_reported": "以下数据未填报，也没有估算，因此未计入排放：{fields}。",
    "nothing_estimated": "没有估算数据。数据质量：{pcaf}（从 1 全部实测到 5 大部分估算）。",
    "assumed": "以下数据表单中未提供，按常见数值估算：{fields}。",
    "pcaf_only": "数据质量：{pcaf}（从 1 全部实测到 5 大部分估算）。",
    "disclosure": "提交给银行的披露报告",
    "download_pdf": "下载 PDF",
    "open_html": "打印版",
    "open_json": "JSON 数据（供银行系统读取）",
    "open_vsme": "VSME 格式数据（欧盟中小企业报告格式）",
    "rate_again": "重新评级",
    "positive": "加分",
    "next_together": "从成本最低的措施做起，同时完成以下各项，得分可升至 {score}（{grade}）：",
    "next_one": "从成本最低的措施做起，完成以下一项，得分可升至 {score}（{grade}）：",
    "next_alone": "或者，仅完成“{action}”一项即可达到{grade}。",
    "step_first": "{gain} 分",
    "step_then": "再 {gain} 分",
    "steps_add_up": "每一步的得分按完成前面各步之后计算，因此各步相加，"
    "正好从现在的 {score} 分升至 {after} 分。",
    "steps_alone": "上方改进计划中的分数是各项措施单独完成时的得分；"
    "几项措施提高同一方面的得分时，两者会有所不同。",
    "held_back": "暂时达不到下一等级的原因：",
    "held_back_lasting": "达不到下一等级的原因：",
    "unanswered": "部分选填问题没有回答。未回答的问题，得分不会高于该问题最差答案的得分，"
    "因此回答只会增加该问题的得分；但如果回答改变了其他数据，总分仍可能降低"
    "（例如填写经营面积后，您的用能与同行的比较方式会随之改变）。",
    "overlap": "{actions}都提高“{indicator}”：同时完成最多加 {most} 分，而不是 {total} 分。",
    "no_plan": "本标准列出的措施都无法再提高您的得分。",
    "negative": "减分",
    "scopes_explained_factors": "范围一是您自己燃烧的燃料（店内燃料和车辆燃油）；"
    "范围二是您购买的电力：基于位置按所在电网的平均排放因子（{grid} 千克二氧化碳/千瓦时）计算，"
    "基于市场则把购买的绿色电力按零计、其余电力按全国电力平均二氧化碳排放因子"
    "（不包括市场化交易的非化石能源电量，{residual} 千克二氧化碳/千瓦时）计算，"
    "因此基于市场的数值可能高于基于位置的数值；范围三是用水、废弃物和商务差旅。",
    "basis_scope12_market": "按范围一和基于市场的范围二计",
    "heat_in_scope2": "外购热力（{gj} 吉焦）同样计入范围二，基于位置和基于市场相同：{t} 吨二氧化碳当量。",
    "refrigerant_in_scope1": "补充的制冷剂（{kg} 千克）即泄漏的量，计入范围一：{t} 吨二氧化碳当量。",
    "green_vintage_not_counted": "您的绿电（{kwh} 千瓦时）是 {vintage} 年的电量，不是本次评级的 {year} 年："
    "绿证只抵扣其所属年份的用电，因此基于市场的数值把这部分电量与其余电力一样计算。",
    "reaches_grade": "可达{grade}",
    "business_shop": "店铺",
    "business_firm": "企业",
    "same_as_peers": "与同类{business}相当",
    "less_energy": "用能比同类{business}少 {off}",
    "more_energy": "用能比同类{business}多 {off}",
    "less_water": "用水比同类{business}少 {off}",
    "more_water": "用水比同类{business}多 {off}",
    # the kWh said as the form's unit says them ("千瓦时（度）"): an owner's bill and talk count 度
    "from_bill": "用电量由您填写的全年电费 {spend}元，"
    "按本评级所用标准（{standard}）假设的电价 {tariff} 元/千瓦时换算，约 {kwh} 千瓦时（度）；"
    "该电价是 greenrate 的假设，不是公开统计数据，按电费单填写千瓦时数可避免换算。",
    "completeness_on_form": "经营面积、用水、废弃物，以及上一年的用电、燃料、热力和车辆用量，"
    "可在评级表单的“更多信息（选填）”中填写。",
    "previous_on_form": "上一年的用电、燃料、热力和车辆用量可在评级表单的“更多信息（选填）”中填写。",
    "waste_on_form": "全年废弃物及其中回收利用的部分，可在评级表单的“更多信息（选填）”中填写。",
    "pillar": "评价维度",
    "ladder": "等级与得分",
    "ladder_from": "{score} 分及以上",
    "ladder_below": "低于 {score} 分",
    "ladder_gap": "再得 {points} 分即可达到{grade}。",
    "caps_binding": "按得分 {score} 本可评为{grade}，但评级受以下限级条款限制：",
    "caps_apply": "无论得分多少，本评级都受以下限级条款限制：",
    "cap_line": "{name}：评级上限为{grade}。",
    "cap_below": "解除办法见下文“{heading}”。",
    "cap_below_lasting": "无法解除的原因见下文“{heading}”。",
    "scopes_explained": "范围一是您自己燃烧的燃料（店内燃料和车辆燃油）；"
    "范围二是您购买的电力（基于位置：按所在电网平均排放因子；"
    "基于市场：购买的绿色电力按零计）；范围三是用水、废弃物和商务差旅。",
    "scope": "排放来源",
    "total_line": "合计：{total} 吨二氧化碳当量。",
    "green_loan": "绿色贷款",
    # the owner applies, for the project: "用于绿色项目……的贷款，可以申请绿色贷款" had the loan apply
    "loan_eligible": "本{business}评级为{grade}，可以为节能、可再生能源等绿色项目申请绿色贷款："
    "请向您的银行出示本评级（或披露报告）。",
    "loan_preferential": "您的评级已达到绿色评级借款人的要求，普通经营贷款也可能获得银行的优惠条件。",
    "loan_blocked": "暂不能申请绿色贷款：{reasons}。",
    "loan_excluded": "不能申请绿色贷款：{reasons}。",
    "loan_eligible_not_green": "虽然本{business}评级为{grade}，"
    "仍可以为节能、可再生能源等绿色项目申请绿色贷款：请向您的银行出示本评级（或披露报告）。",
    "loan_below": "绿色贷款要求评级达到{min}或以上；本{business}评级为{grade}。"
    "下方的改进计划给出了成本最低的提升路径。",
    "knock_out_excluded_activity": "所属行业不在绿色金融支持范围内",
    "knock_out_environmental_penalty": "近三年受到过环境行政处罚",
    "knock_out_repeated_environmental_penalties": "近三年受到三次及以上环境行政处罚",
    "knock_out_insufficient_data": "数据不完整",
    "knock_out_coal_burned_on_site": "经营场所内燃煤",
    "change_unscored": "按两年都填报的数据计算，范围一和范围二排放与上一年相比{moved}；"
    "因上述数据未填报，本项暂不计分。",
    "change_fell": "减少 {t} 吨二氧化碳当量",
    "change_rose": "增加 {t} 吨二氧化碳当量",
    "change_same": "持平",
    "no_vehicles_unscored": "{name}：您填写的是没有车辆；本评级采用的标准（{standard}）尚不为“没有车辆”计分，"
    "按未知计，{earned}。",
    "no_vehicles_scored": "{name}：没有车辆，按没有燃油车的车队计分，{earned}。",
    "held_no_vehicles": "{name}：您填写的是没有车辆；本评级采用的标准（{standard}）尚不为这一回答计分，"
    "这 {points} 分目前无法通过填报获得。",
}
