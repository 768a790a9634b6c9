"""The two languages of the merchant page and the printable disclosure: English and Simplified Chinese.

The owner's language is taken from ``?lang=`` (the switch on the page) and otherwise from
``Accept-Language``; everything else falls back to English. Indicator, pillar and action names come from the
standard itself (``name_zh``, ``description_zh``), so only the page's own words live here; the labels of
what the engine names by key are in :mod:`service.web.labels`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import request

from schemas.merchant import DISCLOSURE_LANGUAGES

LANGUAGES = DISCLOSURE_LANGUAGES

_EN: dict[str, str] = {
    "title": "Your green rating",
    "intro": "Answer a few questions about your business and get a green rating, the reasons for it, a plan "
    "to improve it and a disclosure you can hand to any bank.",
    "company_name": "Business name",
    "industry": "Industry",
    "region": "Region (province)",
    "employees": "Employees",
    "revenue": "Annual revenue (CNY)",
    "electricity": "Electricity use per year",
    "electricity_unit": "Unit",
    "unit_kwh": "kWh",
    "unit_bill": "CNY (yearly bill)",
    "green_share": "Green power bought, % of that electricity (green certificates or green power trading)",
    "green_needs_kwh": "Give the electricity in kWh to report the green power bought.",
    "practices": "What you already do",
    "submit": "Rate my business",
    "privacy_recorded": "This service records your answers and the business name, if you give one (the name "
    "is optional).",
    "privacy_link": "Anyone with the link to your result can see the result: share it only with whom you "
    "choose, such as your bank.",
    "privacy_retention": "Your answers and the results are kept until the bank that runs this service "
    "erases them: ask it how "
    "long that is.",
    "privacy_contact": "Questions about your data",
    "grade": "Grade",
    "score": "Score",
    "pillars": "How your points add up",
    "emissions": "Your yearly carbon footprint (t CO2e)",
    "reasons": "Why this grade",
    "plan": "Your improvement plan",
    "points": "points",
    "saves": "saves {t} t CO2e a year",
    "adds": "adds {t} t CO2e a year (at your grid's average)",
    "estimated": "Estimated from businesses like yours, because the form did not give them: {fields}. "
    "Data quality (PCAF score, 1 measured to 5 mostly estimated): {pcaf}.",
    # inputs with emissions left out (the rating's emissions.missing): "nothing estimated" alone read as
    # complete data
    "not_reported": "Not reported, and not estimated either, so left out of your emissions: {fields}.",
    "nothing_estimated": "Nothing was estimated. Data quality (PCAF score, 1 measured to 5 mostly "
    "estimated): {pcaf}.",
    "assumed": "Taken at a typical value, because the form did not give it: {fields}.",
    "pcaf_only": "Data quality (PCAF score, 1 measured to 5 mostly estimated): {pcaf}.",
    "disclosure": "Disclosure for your bank",
    "download_pdf": "Download PDF",
    "open_html": "Printable page",
    "open_json": "JSON",
    "open_vsme": "VSME export",
    "errors": "Please check these fields",
    "scope1": "Scope 1",
    "scope2": "Scope 2 (location)",
    "scope2m": "Scope 2 (market)",
    "scope3": "Scope 3",
    "total": "Total",
    "switch": "中文",
    "yes": "yes",
    "disclosure_title": "Climate-related disclosure",
    "company": "Company",
    "governance": "Governance",
    "strategy": "Strategy",
    "risk_management": "Risk management",
    "metrics_and_targets": "Metrics and targets",
    "basis_of_preparation": "Basis of preparation",
    "inventory": "Greenhouse-gas inventory",
    "factor_sources": "Emission factors and sources",
    "data_quality": "Data quality",
    "status_disclosed": "disclosed",
    "status_not_applicable": "not applicable",
    "status_not_available": "not available",
    "energy_mwh": "Energy use (MWh)",
    "renewable_share": "Renewable share",
    "rating_id": "Rating",
    "issued": "Issued",
    "versions": "Versions",
    "grade_dark_green": "Dark green",
    "grade_green": "Green",
    "grade_light_green": "Light green",
    "grade_not_green": "Not green",
    "too_many": "Too many ratings from your address; please try again in {wait}.",
    "too_many_pdf": "Too many PDF downloads from your address; please try again in {wait}.",
    "wait_seconds": "{n} seconds",
    "wait_minutes": "{n} minutes",
    "csrf": "The form expired or was not sent from this page; please submit it again.",
    "choose": "Choose…",
    "optional": "optional",
    "rate_again": "Rate again",
    "language": "Language",
    "invalid": "Please enter a valid value.",
    "invalid_choice": "Please choose one of the options.",
    "name_not_given": "Name not given",
    "positive": "positive",
    "next_together": "Starting with the cheapest actions, these together raise your score to {score} "
    "({grade}):",
    "next_one": "Starting with the cheapest actions, this one raises your score to {score} ({grade}):",
    "next_alone": "Alternatively, “{action}” alone reaches {grade}.",
    "held_back": "Why the next grade is out of reach for now:",
    "overlap": "{actions} all raise “{indicator}”: together they earn at most {most} points, not {total}.",
    "no_plan": "None of the actions this standard models raises your score.",
    "negative": "negative",
    "required": "Please fill this in.",
    "not_a_number": "Enter a number, such as 12000 or 1.2万.",
    "not_whole": "Enter a whole number, such as 6.",
    "decimal_comma": "Use a point for decimals (1.5), and commas only between thousands (1,500,000).",
    "revenue_unlikely": "That is {per} yuan a year per employee: is it the year's revenue in yuan (90万 is "
    "900000)? Correct it, or tick the box below if it is right.",
    "revenue_confirmed": "Yes, this is the year's revenue in yuan",
    "too_small": "Enter at least {min}.",
    "too_large": "That is more than {max}; please check the figure.",
    "error_prefix": "Error: ",
    "revenue_hint": "In yuan: 900000 and 90万 both work.",
    "electricity_hint": "From your electricity bills: kWh for the year, or what the year's bills came to.",
    "fuel": "Fuel burned on site (cooking, heating, boilers)",
    "fuel_unsure": "Not sure (estimated from businesses like yours: your energy is then not scored, and the "
    "grade stops at light green)",
    "fuel_none": "None: everything runs on electricity",
    "fuel_natural_gas": "Piped natural gas",
    "fuel_lpg": "Bottled gas (LPG)",
    "fuel_coal": "Coal",
    "fuel_amount": "Fuel used per year",
    "fuel_amount_hint": "From the year's bills or delivery notes: piped gas in m³ (3000 or 3000 m3); bottled "
    "gas in kg (450), or as bottles (30 bottles) of the size chosen below, counted as bottles × kg a bottle; "
    "coal in kg (800) or tonnes (12 t). Piped gas left empty is estimated: your energy is then not scored, "
    "and the grade stops at light green; bottled gas and coal need the amount.",
    "lpg_bottle_kg": "Size of a gas bottle (when counted in bottles)",
    "bottle_size_choose": "Not counted in bottles",
    "bottle_kg": "{kg} kg a bottle",
    "fuel_forms_natural_gas": "Enter the cubic metres of gas, such as 3000, 3000 m3 or 3000方.",
    "fuel_forms_lpg": "Enter the bottled gas used in the year: kg (such as 450 or 450 kg), or the number of "
    "bottles (such as 30 bottles) with their size chosen under “Size of a gas bottle”.",
    "fuel_forms_coal": "Enter the coal burned in the year, in kg or tonnes, such as 800 kg or 12 t.",
    "bottle_size_needed": "Choose the size of a bottle (5, 15 or 50 kg), or give the amount in kg.",
    "heat": "Heat bought from a heating network or an industrial park's steam (district heating)",
    "heat_hint": "Heating or hot water from a city heating network, or steam piped in from an industrial "
    "park, paid for by a heat bill, or included in the rent or the property fee. Heat you make yourself "
    "from gas, coal or electricity is not bought: give the fuel above.",
    "heat_unsure": "Not sure (not reported: where district heat is sold, or for a manufacturer, your energy "
    "is then not scored)",
    "heat_none": "None: the premises are not heated by a heating network or a park's steam",
    "heat_bought": "Bought: the year's amount below",
    "heat_amount": "Heat bought per year",
    "heat_amount_hint": "From the year's heat bills or the heat meter: in GJ (1200 or 1200 GJ), or in MWh "
    "written after the number (330 MWh, counted as 3.6 GJ each). Steam billed in tonnes, and heating charged "
    "by floor area or in the rent without a metered amount, cannot be converted: choose “Not sure” above "
    "(not “None”: the heat is bought, only its amount is unknown).",
    "heat_forms": "Enter the heat bought in the year from the bill, in GJ (such as 1200 or 1200 GJ) or MWh "
    "(such as 330 MWh). Steam billed in tonnes, or heating charged by floor area, cannot be converted: "
    "choose “Not sure” above.",
    "heat_money": "A heat bill's amount in yuan cannot be converted into heat: give the heat bought from the "
    "bill or the heat meter, in GJ or MWh; with only the amount in yuan, choose “Not sure” above.",
    "previous_heat_forms": "Enter last year's heat bought from the bill, in GJ (such as 1200 or 1200 GJ) or "
    "MWh (such as 330 MWh). Steam billed in tonnes, or heating charged by floor area, cannot be converted: "
    "leave this empty.",
    "previous_heat_money": "A heat bill's amount in yuan cannot be converted into heat: give last year's "
    "heat from the bill or the heat meter, in GJ or MWh; with only the amount in yuan, leave this empty.",
    "heat_needs_bought": "Choose “Bought” above to give an amount (with “None”, only 0), or leave it empty.",
    "bottles_or_kg": "A bottle size is chosen: is {n} the number of bottles or kg? "
    "Write {n} bottles or {n} kg.",
    "electricity_looks_like_money": "This looks like an amount of money: if it is what the year's "
    "electricity bills came to, choose “CNY (yearly bill)” under “Unit”; if it is kWh, type the number "
    "alone, such as 12000 or 1.2万.",
    "wan_and_digits": "Write it as 1.2万 or 12000.",
    "scopes_explained_factors": "Scope 1 is the fuel you burn yourself; Scope 2 the electricity you buy, "
    "location-based at your grid's average factor ({grid} kg CO2 per kWh), market-based counting the green "
    "power you bought as zero and the rest at the national residual factor ({residual} kg CO2 per kWh: the "
    "national average excluding the non-fossil power traded on the market), so market-based can be higher "
    "than location-based; Scope 3 your water, waste and business travel.",
    "basis_scope12_market": "Scope 1 + Scope 2 market-based",
    "heat_in_scope2": " The heat you bought ({gj} GJ) is in Scope 2 as well, the same on both bases: {t} t "
    "CO2e.",
    "colon": ": ",
    "comma": ", ",
    "semicolon": "; ",
    "paren_open": " (",
    "paren_close": ")",
    "optional_note": " (optional)",
    # inside a label's own closing bracket: "(kWh, optional)", not "(kWh) (optional)"
    "optional_inside": ", optional",
    "reaches_grade": "reaches {grade}",
    # {business}: what the business is called beside its peers (the Chinese page says 店铺 or 企业)
    "business_shop": "business",
    "business_manufacturer": "business",
    "same_as_peers": "about the same as similar businesses",
    "less_energy": "{off} less energy than similar businesses",
    "more_energy": "{off} more energy than similar businesses",
    "less_water": "{off} less water than similar businesses",
    "more_water": "{off} more water than similar businesses",
    "from_bill": "Electricity use was converted from your bill ({spend} yuan) at the tariff the standard of "
    "this rating ({standard}) assumes, {tariff} yuan per kWh: about {kwh} kWh. That tariff is greenrate's "
    "assumption, not a published figure; give the kWh from the bill to avoid it.",
    "more_details": "More details (optional): floor area, water, waste, last year's electricity, fuel, heat "
    "and vehicles",
    "more_details_hint": "Each from your own records; left empty, it is not reported. The standard counts "
    "them towards how complete your data is: with too little, the grade is capped (incomplete data). To "
    "compare this year with last year, give last year's figure for each one you gave for this year: "
    "electricity, fuel, heat and vehicles. With vehicles left “Not answered” above, the change on last year "
    "is not scored.",
    "water": "Water used per year (m³)",
    "water_hint": "From the water bills: a bill's tonnes are cubic metres.",
    "waste": "Waste per year (t)",
    "waste_hint": "All the waste the business throws away or hands over, in tonnes (or kg, such as 800 kg).",
    "waste_recycled": "Of that waste, recycled or sold for recycling (t)",
    "waste_recycled_hint": "Left empty while the waste is given, none of it counts as recycled.",
    "previous_electricity": "Last year's electricity use (kWh)",
    "previous_electricity_hint": "From last year's bills: compared with this year's, like for like, when "
    "this year's is given in kWh too (a bill amount is converted at an assumed tariff, and an estimate is "
    "never compared).",
    "previous_fuel_type": "Fuel burned on site last year",
    "previous_fuel_type_hint": "If the business changed fuel, such as bottled gas to piped gas, or a coal "
    "boiler to gas or to electricity, choose last year's: the change is compared as a whole, so the switch "
    "counts.",
    "previous_fuel_type_same": "The same fuel as this year",
    "previous_fuel_type_none": "None: everything ran on electricity",
    "previous_fuel": "Amount of last year's fuel",
    "previous_fuel_hint": "From last year's bills or delivery notes, in that fuel's units: piped gas in m³, "
    "bottled gas in kg or in bottles of the size chosen above, coal in kg or t. It is compared with this "
    "year's fuel, so it needs this year's answer (None, or a fuel with its amount). With last year's fuel "
    "“None”, leave it empty.",
    "previous_fuel_none": "This year's fuel is “None”, so choose the fuel burned last year under “Fuel "
    "burned on site last year” to give its amount; otherwise leave this empty.",
    "previous_fuel_amount_beside_none": "Last year's fuel is “None”, which has no amount: leave this empty, "
    "or choose the fuel burned last year.",
    "previous_fuel_amount_needed": "Give the amount of last year's fuel, from last year's bills or delivery "
    "notes, or choose “The same fuel as this year” and leave this empty.",
    "previous_fuel_needs_this_year": "Answer this year's fuel above first (None, or a fuel with its "
    "amount): last year's is compared with it (“Not sure”, or piped gas without its amount, is estimated, "
    "and an estimate is never compared).",
    "previous_heat": "Heat bought last year",
    "previous_heat_hint": "From last year's heat bills, in GJ or MWh as this year's amount, which it is "
    "compared with: it needs this year's answer above (None, or the amount). Heating charged by floor area: "
    "leave it empty.",
    "previous_heat_needs_this_year": "Answer this year's heat above first (None, or the amount bought): "
    "last year's is compared with it, and a year left out is never compared.",
    "previous_vehicle_amount": "Last year, all vehicles together: litres of fuel bought, or km driven if "
    "electric",
    "previous_vehicle_amount_hint": "From last year's fuel receipts or odometers, in the units of this "
    "year's amount, which it is compared with: it needs this year's amount (vehicles counted alone are an "
    "estimate, never compared). With vehicles “None”, leave it empty.",
    "previous_vehicles_none": "This year's vehicles are “None”, which needs no figure for last year: leave "
    "this empty.",
    "previous_vehicles_need_this_year": "Choose what the vehicles run on and give this year's litres or km "
    "above first: last year's is compared with them (vehicles counted alone are an estimate, never "
    "compared).",
    "needs_waste": "Give the year's waste above first.",
    "completeness_on_form": "Floor area, water, waste and last year's electricity, fuel, heat and vehicles "
    "can be given under “More details” on the rating form.",
    "previous_on_form": "Last year's electricity, fuel, heat and vehicles can be given under “More details” "
    "on the rating form.",
    "fuel_needs_gas": "Choose which fuel this is above, or leave the amount empty.",
    "vehicle_fuel": "Vehicles the business runs (cars, vans, lorries)",
    "vehicle_fuel_hint": "Electric bikes and scooters charged at your premises are already in your "
    "electricity use: leave them out. Electric cars and vans are priced as power bought at public chargers.",
    "vehicle_fuel_unsure": "Not answered (no vehicles are counted, and the change on last year is not "
    "scored)",
    "vehicle_fuel_none": "None",
    "vehicle_fuel_gasoline": "Petrol",
    "vehicle_fuel_diesel": "Diesel",
    "vehicle_fuel_hybrid": "Petrol-electric hybrid",
    "vehicle_fuel_electric": "Electric",
    "vehicles": "Number of vehicles",
    "vehicles_hint": "Needed when you chose a fuel above; otherwise leave it empty.",
    "vehicle_amount": "Per year, all vehicles together: litres of fuel bought, or km driven if electric",
    "vehicle_amount_hint": "From the fuel receipts, or the odometers of electric vehicles. Left empty, each "
    "vehicle is counted at a typical yearly distance, as an estimate.",
    "vehicle_needs_fuel": "Choose what the vehicles run on above, or leave this empty.",
    "pillar": "Part of the standard",
    "ladder": "Grades by score",
    "ladder_from": "from {score}",
    "ladder_below": "below {score}",
    "ladder_gap": "{points} more points reach {grade}.",
    "scopes_explained": "Scope 1 is the fuel you burn yourself; Scope 2 the electricity you buy (location: "
    "at your grid's average; market: counting the green power you bought as zero); Scope 3 your water, waste "
    "and business travel.",
    "scope": "Source of emissions",
    "unstorable": "This contains a character that cannot be stored; please type it again.",
    "too_long": "Use at most {max} characters.",
    "not_rated": "These answers cannot be rated as given; please check them.",
    "tco2e": "t CO2e",
    "total_line": "Total: {total} t CO2e.",
    "factor_id": "Factor",
    "factor_value": "Value",
    "factor_unit": "Unit",
    "factor_source": "Source",
    "factor_year": "Year",
    "version_model": "model",
    "version_standard": "standard",
    "version_factor_set": "factor set",
    "version_schema": "schema",
    "version_engine": "engine",
    "dq_estimated": "{n} input figure(s) were estimated from the standard's sector defaults ({fields}); "
    "PCAF data-quality score {pcaf} of 5 (1 is best), completeness {completeness}.",
    "dq_measured": "No input figure was estimated; PCAF data-quality score {pcaf} of 5 (1 is best), "
    "completeness {completeness}.",
    "dq_converted": "{field} was converted from the electricity bill's amount at the standard's assumed "
    "tariff of {tariff} CNY/kWh ({standard}, estimation rules), not taken from a sector default.",
    "dq_scores": "PCAF data-quality score {pcaf} of 5 (1 is best), completeness {completeness}.",
    "dq_item": "PCAF score {pcaf}; completeness {completeness}; estimated: {fields}; data source: {source}.",
    "dq_assumed": "{n} inventory figure(s) rest on greenrate's assumptions rather than reported data: "
    "{fields}.",
    "error_title": "Something went wrong",
    "error_not_found": "This page does not exist: the link may be mistyped, or the rating was not made here.",
    "error_too_large": "The form sent was too large.",
    "error_generic": "The request could not be served ({code}).",
    "error_back": "Back to the rating form",
    "error_unavailable": "The service cannot reach its records just now. Please try again in a few minutes.",
    "form_unavailable": "The service cannot record ratings just now, so nothing was saved; your answers are "
    "still here. Please try again in a few minutes.",
    "error_reference": "If you ask for help, quote this reference:",
    "annual_revenue": "Annual revenue",
    "floor_area": "Floor area (m²)",
    "valid_until": "Valid until",
    "electricity_mwh": "Electricity consumed (MWh)",
    "renewable_electricity_share": "Renewable share of electricity",
    "scope3_cat1_water_supply": "of which category 1, purchased goods (water supply)",
    "scope3_cat5_waste": "of which category 5, waste and wastewater",
    "scope3_cat6_business_travel": "of which category 6, business travel",
    "intensities": "Carbon intensities",
    "green_loan": "Green loans",
    "not_computed": "not computed",
    "loan_eligible": "Rated {grade}, you can apply for green loans that finance a green project, such as "
    "energy efficiency or renewable energy: show this rating (or its disclosure) to your bank.",
    "loan_preferential": "As a green-rated business you may also get your bank's preferential terms on an "
    "ordinary business loan.",
    "loan_blocked": "Green loans are not available for now: {reasons}.",
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
    "list_sep": "; ",
    # between two sentences in running text: a Chinese sentence ends in "。" and takes no space after it
    "sentence_sep": " ",
    # after engine prose left in English on a page in another language (never shown on the English page)
    "english_original": " (English original)",
    "comparative_item": "previous year {previous} t CO2e, reporting year {current} t CO2e, change {change}",
    "intensity_per_cny_million_revenue": "Scopes 1, 2 (location) and 3 per CNY million of revenue",
    "intensity_scope12_market_per_cny_million_revenue": "Scopes 1 and 2 (market) per CNY million of revenue",
    "intensity_per_employee": "Scopes 1, 2 (location) and 3 per employee",
    "intensity_per_m2": "Scopes 1, 2 (location) and 3 per m² of floor area",
    "column_value": "Value",
    "column_unit": "Unit",
    "intensity_unit_per_cny_million_revenue": "t CO2e per CNY million",
    "intensity_unit_scope12_market_per_cny_million_revenue": "t CO2e per CNY million",
    "intensity_unit_per_employee": "t CO2e per employee",
    "intensity_unit_per_m2": "t CO2e per m²",
    # the change on last year computed but not scored (an input the standard asks left out)
    "change_unscored": "On the figures given for both years, Scope 1 and 2 emissions {moved} on last year; "
    "the change is not scored until the figures above are reported.",
    "change_fell": "fell by {t} t CO2e",
    "change_rose": "rose by {t} t CO2e",
    "change_same": "stayed the same",
    "no_vehicles_unscored": "{name}: no vehicles (your answer); the standard this rating used ({standard}) "
    "does not yet score “no vehicles”, so it counts as unknown: {earned}.",
    "no_vehicles_scored": "{name}: no vehicles, scored as a fleet with no combustion vehicle: {earned}.",
    "held_missing": "Up to {points} more points wait in figures not reported (or only estimated from the "
    "sector): {names}. Report them, from the bills where there are any, to be scored on them; a blank never "
    "scores better than the worst figure.",
    "held_no_vehicles": "{name}: you answered “no vehicles”; the standard this rating used ({standard}) does "
    "not yet score that answer, so its {points} points cannot be earned by reporting anything.",
}

_ZH: dict[str, str] = {
    "title": "您的绿色评级",
    "intro": "回答几个关于您店铺的问题，即可获得绿色评级、评级理由、改进计划，以及可交给任何银行的披露报告。",
    "company_name": "店铺名称",
    "industry": "行业",
    "region": "地区（省份）",
    "employees": "员工人数",
    "revenue": "年营业收入（元）",
    "electricity": "年用电量",
    "electricity_unit": "单位",
    "unit_kwh": "千瓦时（度）",
    "unit_bill": "元（全年电费）",
    "green_share": "购买的绿电（绿证或绿电交易）占上述用电量的百分比",
    "green_needs_kwh": "请以千瓦时填写用电量，才能填写购买的绿色电力。",
    "practices": "您已经在做的",
    "submit": "一键评级",
    "privacy_recorded": "本服务会记录您填写的答案，以及您填写的店铺名称（名称可以不填）。",
    "privacy_link": "任何持有评级结果链接的人都能看到结果，请只分享给您选定的对象，例如您的银行。",
    "privacy_retention": "您的答案和评级结果会一直保存，直到运营本服务的银行将其删除；"
    "保存多久请向该银行询问。",
    "privacy_contact": "有关您数据的问题",
    "grade": "等级",
    "score": "得分",
    "pillars": "各维度得分情况",
    "emissions": "您每年的碳排放（吨二氧化碳当量）",
    "reasons": "评级理由",
    "plan": "改进计划",
    "points": "分",
    "saves": "每年减排 {t} 吨二氧化碳当量",
    "adds": "每年增加 {t} 吨二氧化碳当量排放（按所在电网平均排放因子计）",
    "estimated": "以下数据表单中未提供，按同类{business}估算：{fields}。"
    "数据质量（PCAF 评分，1 为实测，5 为大部分估算）：{pcaf}。",
    "not_reported": "以下数据未填报，也没有估算，因此未计入排放：{fields}。",
    "nothing_estimated": "没有估算数据。数据质量（PCAF 评分，1 为实测，5 为大部分估算）：{pcaf}。",
    "assumed": "以下数据表单中未提供，按常见数值估算：{fields}。",
    "pcaf_only": "数据质量（PCAF 评分，1 为实测，5 为大部分估算）：{pcaf}。",
    "disclosure": "提交给银行的披露报告",
    "download_pdf": "下载 PDF",
    "open_html": "打印版",
    "open_json": "JSON",
    "open_vsme": "VSME 导出",
    "errors": "请检查以下各项",
    "scope1": "范围一",
    "scope2": "范围二（基于位置）",
    "scope2m": "范围二（基于市场）",
    "scope3": "范围三",
    "total": "合计",
    "switch": "English",
    "yes": "是",
    "disclosure_title": "气候相关信息披露",
    "company": "企业",
    "governance": "治理",
    "strategy": "战略",
    "risk_management": "风险管理",
    "metrics_and_targets": "指标和目标",
    "basis_of_preparation": "编制基础",
    "inventory": "温室气体排放清单",
    "factor_sources": "排放因子及来源",
    "data_quality": "数据质量",
    "status_disclosed": "已披露",
    "status_not_applicable": "不适用",
    "status_not_available": "暂无数据",
    "energy_mwh": "能源消耗（兆瓦时）",
    "renewable_share": "可再生能源占比",
    "rating_id": "评级编号",
    "issued": "出具日期",
    "versions": "版本",
    "grade_dark_green": "深绿",
    "grade_green": "中绿",
    "grade_light_green": "浅绿",
    "grade_not_green": "非绿",
    "too_many": "评级请求过于频繁，请{wait}后再试。",
    "too_many_pdf": "PDF 下载过于频繁，请{wait}后再试。",
    "wait_seconds": "{n} 秒",
    "wait_minutes": "{n} 分钟",
    "csrf": "表单已过期或并非从本页提交，请重新提交。",
    "choose": "请选择…",
    "optional": "选填",
    "rate_again": "重新评级",
    "language": "语言",
    "invalid": "请输入有效的数值。",
    "invalid_choice": "请从选项中选择。",
    "name_not_given": "未提供名称",
    "positive": "加分",
    "next_together": "从成本最低的措施做起，同时完成以下各项，得分可升至 {score}（{grade}）：",
    "next_one": "从成本最低的措施做起，完成以下一项，得分可升至 {score}（{grade}）：",
    "next_alone": "或者，仅完成“{action}”一项即可达到{grade}。",
    "held_back": "暂时达不到下一等级的原因：",
    "overlap": "{actions}都提高“{indicator}”：同时完成最多加 {most} 分，而不是 {total} 分。",
    "no_plan": "本标准列出的措施都无法再提高您的得分。",
    "negative": "减分",
    "required": "请填写此项。",
    "not_a_number": "请输入数字，例如 12000 或 1.2万。",
    "not_whole": "请输入整数，例如 6。",
    "decimal_comma": "小数请用小数点（1.5），逗号只用于千位分隔（1,500,000）。",
    "revenue_unlikely": "折合每名员工每年 {per} 元。这是以元计的全年营业收入吗（90万 即 900000）？"
    "如有误请更正；如无误，请勾选下方的确认框。",
    "revenue_confirmed": "是的，这是以元计的全年营业收入",
    "too_small": "请输入不小于 {min} 的数值。",
    "too_large": "超过了 {max}，请核对数值。",
    "error_prefix": "错误：",
    "revenue_hint": "单位：元；填 900000 或 90万 都可以。",
    "electricity_hint": "见电费单：全年用电千瓦时数，或全年电费金额。",
    "fuel": "店内燃料使用（做饭、取暖、锅炉）",
    "fuel_unsure": "不确定（按同类店铺估算；能耗指标不计分，评级最高为浅绿）",
    "fuel_none": "不使用：全部用电",
    "fuel_natural_gas": "管道天然气",
    "fuel_lpg": "瓶装液化气",
    "fuel_coal": "燃煤",
    "fuel_amount": "全年燃料用量",
    "fuel_amount_hint": "见全年账单或送货单：管道天然气填立方米（如 3000 或 3000方）；"
    "瓶装液化气填千克（如 450），或填瓶数（如 30瓶）并在下方选择每瓶规格，按“瓶数 × 每瓶千克数”计算；"
    "燃煤填千克或吨（如 800公斤、12吨）。"
    "管道天然气不填则按估算，能耗指标不计分，评级最高为浅绿；瓶装液化气和燃煤必须填写用量。",
    "lpg_bottle_kg": "每瓶液化气规格（按瓶填写时）",
    "bottle_size_choose": "不按瓶填写",
    "bottle_kg": "每瓶 {kg} 千克",
    "fuel_forms_natural_gas": "请填写立方米数，例如 3000、3000方 或 3000立方米。",
    "fuel_forms_lpg": "请填写全年液化气用量：千克数（如 450 或 450公斤），"
    "或瓶数（如 30瓶）并在“每瓶液化气规格”中选择规格。",
    "fuel_forms_coal": "请填写全年燃煤量，单位千克或吨，例如 800公斤 或 12吨。",
    "bottle_size_needed": "请选择每瓶规格（5、15 或 50 千克），或直接填写千克数。",
    "heat": "外购热力（集中供暖或园区蒸汽）",
    "heat_hint": "从城市供热管网购买的暖气、热水，或从工业园区管道输送的蒸汽，按热费单付费，"
    "或包含在房租、物业费里。自己用燃气、煤或电产生的热不算外购热力，请在上面填写燃料。",
    "heat_unsure": "不确定（不填报；在出售集中供热的地区或制造业企业，能耗指标不计分）",
    "heat_none": "没有：经营场所不使用集中供暖或园区蒸汽",
    "heat_bought": "有：在下面填写全年用量",
    "heat_amount": "全年外购热力用量",
    "heat_amount_hint": "见全年热费单或热量表读数：单位吉焦（如 1200 或 1200吉焦），"
    "也可在数字后写兆瓦时（如 330兆瓦时，每兆瓦时按 3.6 吉焦计）。"
    "按吨计费的蒸汽、按面积收费或含在房租里且没有计量用量的暖气费无法换算，"
    "请在上面选“不确定”（不要选“没有”：热力是购买了的，只是用量不明）。",
    "heat_forms": "请按热费单填写全年外购热力，单位吉焦（如 1200 或 1200吉焦）或兆瓦时（如 330兆瓦时）。"
    "按吨计费的蒸汽、按面积收费的暖气费无法换算，请在上面选“不确定”。",
    "heat_money": "热费金额（元）无法换算为热量：请按热费单或热量表填写外购热力用量，单位吉焦或兆瓦时；"
    "只有金额时，请在上面选“不确定”。",
    "previous_heat_forms": "请按上一年热费单填写外购热力，单位吉焦（如 1200 或 1200吉焦）"
    "或兆瓦时（如 330兆瓦时）。按吨计费的蒸汽或按面积收费的暖气费无法换算，请将此项留空。",
    "previous_heat_money": "热费金额（元）无法换算为热量：请按上一年热费单或热量表填写用量，"
    "单位吉焦或兆瓦时；只有金额时，请将此项留空。",
    "heat_needs_bought": "要填写用量，请在上面选“有”（选“没有”时只能填 0），或不填此项。",
    "bottles_or_kg": "已选择每瓶规格：{n} 是瓶数还是千克数？请写 {n}瓶 或 {n}kg。",
    "electricity_looks_like_money": "这看起来是金额：如果是全年电费，请把“单位”改为“元（全年电费）”；"
    "如果是千瓦时，请只填数字，例如 12000 或 1.2万。",
    "wan_and_digits": "请写成 1.2万 或 12000。",
    "scopes_explained_factors": "范围一是您自己燃烧的燃料；"
    "范围二是您购买的电力：基于位置按所在电网的平均排放因子（{grid} 千克二氧化碳/千瓦时）计算，"
    "基于市场则把购买的绿色电力按零计、其余电力按全国电力平均二氧化碳排放因子"
    "（不包括市场化交易的非化石能源电量，{residual} 千克二氧化碳/千瓦时）计算，"
    "因此基于市场的数值可能高于基于位置的数值；范围三是用水、废弃物和商务差旅。",
    "basis_scope12_market": "按范围一和基于市场的范围二计",
    "heat_in_scope2": "外购热力（{gj} 吉焦）同样计入范围二，基于位置和基于市场相同：{t} 吨二氧化碳当量。",
    "colon": "：",
    "comma": "，",
    "semicolon": "；",
    "paren_open": "（",
    "paren_close": "）",
    "optional_note": "（选填）",
    "optional_inside": "，选填",
    "reaches_grade": "可达{grade}",
    "business_shop": "店铺",
    "business_manufacturer": "企业",
    "same_as_peers": "与同类{business}相当",
    "less_energy": "用能比同类{business}少 {off}",
    "more_energy": "用能比同类{business}多 {off}",
    "less_water": "用水比同类{business}少 {off}",
    "more_water": "用水比同类{business}多 {off}",
    "from_bill": "用电量由您填写的全年电费 {spend}元，"
    "按本评级所用标准（{standard}）假设的电价 {tariff} 元/千瓦时换算，约 {kwh} 千瓦时；"
    "该电价是 greenrate 的假设，不是公开统计数据，按电费单填写千瓦时数可避免换算。",
    "more_details": "更多信息（选填）：经营面积、用水、废弃物，上一年的用电、燃料、热力和车辆用量",
    "more_details_hint": "请按您自己的记录填写，不填即视为未填报。标准按这些数据计算数据完整度："
    "填报过少时评级有上限（数据不完整）。要与上一年对比，本年填了的用电、燃料、热力和车辆用量，"
    "请同时填写上一年的数据。上面的经营用车选“不填”时，与上一年的对比不计分。",
    "water": "全年用水量（立方米）",
    "water_hint": "见水费单：水费单上的“吨”就是立方米。",
    "waste": "全年产生的废弃物（吨）",
    "waste_hint": "店里全年扔掉或交给清运、回收单位的全部废弃物，单位吨（也可填千克，如 800公斤）。",
    "waste_recycled": "其中回收利用或卖给回收站的废弃物（吨）",
    "waste_recycled_hint": "填了废弃物而此项不填，按没有回收计。",
    "previous_electricity": "上一年用电量（千瓦时）",
    "previous_electricity_hint": "见上一年电费单；今年用电量也按千瓦时填写时，两年同口径对比"
    "（按电费金额填写的用电量按假定电价换算，属于估算，不参与对比）。",
    "previous_fuel_type": "上一年店内燃料",
    "previous_fuel_type_hint": "如果换过燃料，例如瓶装液化气改用管道天然气，或燃煤锅炉改用燃气或用电，"
    "请选择上一年的燃料：燃料按总量对比，换燃料带来的减排会计入。",
    "previous_fuel_type_same": "与本年相同",
    "previous_fuel_type_none": "不使用：全部用电",
    "previous_fuel": "上一年燃料用量",
    "previous_fuel_hint": "见上一年账单或送货单，按该燃料的单位填写：管道天然气填立方米，"
    "瓶装液化气填千克或按上面选择的每瓶规格填瓶数，燃煤填千克或吨。与本年燃料对比，"
    "因此需先回答本年燃料（“不使用”或燃料及其用量）。上一年燃料选“不使用”的请留空。",
    "previous_fuel_none": "本年燃料选的是“不使用”，如要填写上一年用量，"
    "请先在“上一年店内燃料”中选择上一年的燃料，否则请留空。",
    "previous_fuel_amount_beside_none": "上一年燃料选的是“不使用”，无需填写用量："
    "请留空，或选择上一年使用的燃料。",
    "previous_fuel_amount_needed": "请填写上一年燃料用量（见上一年账单或送货单），"
    "或选择“与本年相同”并将用量留空。",
    "previous_fuel_needs_this_year": "请先在上面回答本年燃料（选“不使用”，或选择燃料并填写用量）："
    "上一年用量要与之对比（选“不确定”或未填用量的管道天然气按估算，估算数据不参与对比）。",
    "previous_heat": "上一年外购热力用量",
    "previous_heat_hint": "见上一年热费单，单位与本年用量相同（吉焦或兆瓦时），与本年对比，"
    "因此需先在上面回答本年外购热力（没有或用量）。按面积收费的暖气费请留空。",
    "previous_heat_needs_this_year": "请先在上面回答本年外购热力（选“没有”或填写用量）："
    "上一年用量要与之对比，未填报的年度不参与对比。",
    "previous_vehicle_amount": "上一年全部车辆用量：燃油车填加油升数，纯电动车填行驶公里数",
    "previous_vehicle_amount_hint": "见上一年加油票据或里程表，单位与本年车辆用量相同，与本年用量对比，"
    "因此需先填写本年用量（只填车辆数按估算，估算数据不参与对比）。车辆选“没有”的请留空。",
    "previous_vehicles_none": "本年车辆选的是“没有”，无需填写上一年用量，请留空。",
    "previous_vehicles_need_this_year": "请先在上面选择车辆能源类型并填写本年加油升数或行驶公里数："
    "上一年用量要与之对比（只填车辆数按估算，估算数据不参与对比）。",
    "needs_waste": "请先填写全年产生的废弃物。",
    "completeness_on_form": "经营面积、用水、废弃物，以及上一年的用电、燃料、热力和车辆用量，"
    "可在评级表单的“更多信息（选填）”中填写。",
    "previous_on_form": "上一年的用电、燃料、热力和车辆用量可在评级表单的“更多信息（选填）”中填写。",
    "fuel_needs_gas": "请先在上面选择燃料种类，或将用量留空。",
    "vehicle_fuel": "经营用车（轿车、面包车、货车）",
    "vehicle_fuel_hint": "在店内充电的电动自行车、电动摩托车已计入用电量，请不要填写。"
    "纯电动汽车按在公共充电桩购电计算。",
    "vehicle_fuel_unsure": "不填（不计入车辆；与上一年的对比将不计分）",
    "vehicle_fuel_none": "没有",
    "vehicle_fuel_gasoline": "汽油车",
    "vehicle_fuel_diesel": "柴油车",
    "vehicle_fuel_hybrid": "油电混合动力车",
    "vehicle_fuel_electric": "纯电动车",
    "vehicles": "车辆数",
    "vehicles_hint": "上面选择了车辆能源类型时必填，否则不填。",
    "vehicle_amount": "全部车辆全年用量：燃油车填加油升数，纯电动车填行驶公里数",
    "vehicle_amount_hint": "见加油票据，纯电动车见里程表。不填则每辆车按常见的年行驶里程估算。",
    "vehicle_needs_fuel": "请先在上面选择车辆的能源类型，或将此项留空。",
    "pillar": "评价维度",
    "ladder": "等级与得分",
    "ladder_from": "{score} 分及以上",
    "ladder_below": "低于 {score} 分",
    "ladder_gap": "再得 {points} 分即可达到{grade}。",
    "scopes_explained": "范围一是您自己燃烧的燃料；范围二是您购买的电力（基于位置：按所在电网平均排放因子；"
    "基于市场：购买的绿色电力按零计）；范围三是用水、废弃物和商务差旅。",
    "scope": "排放来源",
    "unstorable": "含有无法保存的字符，请重新输入。",
    "too_long": "最多 {max} 个字符。",
    "not_rated": "无法按这些答案评级，请检查后重新提交。",
    "tco2e": "吨二氧化碳当量",
    "total_line": "合计：{total} 吨二氧化碳当量。",
    "factor_id": "因子",
    "factor_value": "数值",
    "factor_unit": "单位",
    "factor_source": "来源",
    "factor_year": "年份",
    "version_model": "模型",
    "version_standard": "标准",
    "version_factor_set": "排放因子集",
    "version_schema": "数据格式",
    "version_engine": "计算引擎",
    "dq_estimated": "{n} 项输入数据按标准的行业默认值估算（{fields}）；"
    "PCAF 数据质量评分 {pcaf}（共 5 级，1 最好），数据完整度 {completeness}。",
    "dq_measured": "没有估算的输入数据；"
    "PCAF 数据质量评分 {pcaf}（共 5 级，1 最好），数据完整度 {completeness}。",
    "dq_converted": "{field}由电费金额按标准假定的电价 {tariff} 元/千瓦时换算（{standard}，估算规则），"
    "并非行业默认值。",
    "dq_scores": "PCAF 数据质量评分 {pcaf}（共 5 级，1 最好），数据完整度 {completeness}。",
    "dq_item": "PCAF 评分 {pcaf}；数据完整度 {completeness}；估算数据：{fields}；数据来源：{source}。",
    "dq_assumed": "{n} 项排放数据基于 greenrate 的假设而非所报数据：{fields}。",
    "error_title": "出错了",
    "error_not_found": "此页面不存在：链接可能有误，或该评级并非在此生成。",
    "error_too_large": "提交的表单过大。",
    "error_generic": "请求无法完成（{code}）。",
    "error_back": "返回评级表单",
    "error_unavailable": "服务暂时无法读取记录，请几分钟后再试。",
    "form_unavailable": "服务暂时无法记录评级，本次未保存任何内容；您填写的内容仍在下方。请几分钟后再试。",
    "error_reference": "如需帮助，请提供此编号：",
    "annual_revenue": "年营业收入",
    "floor_area": "经营面积（平方米）",
    "valid_until": "有效期至",
    "electricity_mwh": "用电量（兆瓦时）",
    "renewable_electricity_share": "可再生电力占比",
    "scope3_cat1_water_supply": "其中类别 1：外购商品（供水）",
    "scope3_cat5_waste": "其中类别 5：废弃物与污水处理",
    "scope3_cat6_business_travel": "其中类别 6：商务差旅",
    "intensities": "碳强度",
    "green_loan": "绿色贷款",
    "not_computed": "无法计算",
    "loan_eligible": "本{business}评级为{grade}。用于绿色项目（如节能、可再生能源）的贷款，可以申请绿色贷款："
    "请将本评级（或披露报告）出示给您的银行。",
    "loan_preferential": "您的评级已达到绿色评级借款人的要求，普通经营贷款也可能获得银行的优惠条件。",
    "loan_blocked": "暂不能申请绿色贷款：{reasons}。",
    "loan_eligible_not_green": "虽然本{business}评级为{grade}，用于绿色项目（如节能、可再生能源）的贷款"
    "仍可申请绿色贷款：请将本评级（或披露报告）出示给您的银行。",
    "loan_below": "绿色贷款要求评级达到{min}或以上；本{business}评级为{grade}。"
    "下方的改进计划给出了成本最低的提升路径。",
    "knock_out_excluded_activity": "所属行业不在绿色金融支持范围内",
    "knock_out_environmental_penalty": "近三年受到过环境行政处罚",
    "knock_out_repeated_environmental_penalties": "近三年受到三次及以上环境行政处罚",
    "knock_out_insufficient_data": "数据不完整",
    "knock_out_coal_burned_on_site": "经营场所内燃煤",
    "list_sep": "；",
    "sentence_sep": "",
    # a rating stored before engine 1.9 has its notes in English only: shown as they are, and said to be
    "english_original": "（英文原文）",
    "comparative_item": "上一年 {previous} 吨二氧化碳当量，报告年 {current} 吨二氧化碳当量，变化 {change}",
    "intensity_per_cny_million_revenue": "营收碳强度：范围一+范围二（基于位置）+范围三，每百万元营业收入",
    "intensity_scope12_market_per_cny_million_revenue": (
        "营收碳强度：范围一+范围二（基于市场），每百万元营业收入"
    ),
    "intensity_per_employee": "人均碳强度：范围一+范围二（基于位置）+范围三，每名员工",
    "intensity_per_m2": "单位面积碳强度：范围一+范围二（基于位置）+范围三，每平方米经营面积",
    "column_value": "数值",
    "column_unit": "单位",
    "intensity_unit_per_cny_million_revenue": "吨二氧化碳当量/百万元营业收入",
    "intensity_unit_scope12_market_per_cny_million_revenue": "吨二氧化碳当量/百万元营业收入",
    "intensity_unit_per_employee": "吨二氧化碳当量/人",
    "intensity_unit_per_m2": "吨二氧化碳当量/平方米",
    "change_unscored": "按两年都填报的数据计算，范围一和范围二排放与上一年相比{moved}；"
    "因上述数据未填报，本项暂不计分。",
    "change_fell": "减少 {t} 吨二氧化碳当量",
    "change_rose": "增加 {t} 吨二氧化碳当量",
    "change_same": "持平",
    "no_vehicles_unscored": "{name}：您填写的是没有车辆；本评级采用的标准（{standard}）尚不为“没有车辆”计分，"
    "按未知计，{earned}。",
    "no_vehicles_scored": "{name}：没有车辆，按没有燃油车的车队计分，{earned}。",
    "held_missing": "未填报（或仅按行业默认值估算）的数据最多还能带来 {points} 分：{names}。"
    "请按账单等实际数据填报，按实际情况计分；空白的得分不会高于最差的填报值。",
    "held_no_vehicles": "{name}：您填写的是没有车辆；本评级采用的标准（{standard}）尚不为这一回答计分，"
    "这 {points} 分目前无法通过填报获得。",
}

_TEXTS: Mapping[str, Mapping[str, str]] = {"en": _EN, "zh": _ZH}

_SUBTAG = re.compile(r"[-_]")


def negotiate(accepted: Iterable[tuple[str, float]]) -> str:
    """The first of our languages the browser accepts, in its order of preference; else English.

    Each tag counts for its primary language (``en-US`` is English, ``zh-TW`` Chinese), and tags are taken
    by quality, so ``en-US,zh;q=0.9`` is English. ``q=0`` means "not this one"; ``*`` means any language,
    which is English unless English was refused.
    """
    ranked = [(_primary(tag), quality) for tag, quality in accepted]
    refused = {primary for primary, quality in ranked if quality <= 0}
    for primary, quality in sorted(ranked, key=lambda item: -item[1]):  # stable: equal q keep their order
        if quality <= 0:
            break
        if primary in LANGUAGES:
            return primary
        if primary == "*":
            return next((lang for lang in LANGUAGES if lang not in refused), LANGUAGES[0])
    return LANGUAGES[0]


def _primary(tag: str) -> str:
    return _SUBTAG.split(tag.strip(), maxsplit=1)[0].lower()


def choose_language() -> str:
    """``?lang=`` wins (the page's switch), then the browser's ``Accept-Language``, then English."""
    # the query string only: reading the form (request.values) of a body over the size limit raised 413
    # again inside the 413 page's own handler, and the visitor got a bare 500
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return negotiate(request.accept_languages)


#: Round amounts in words, largest first: the schema's ends (10¹⁵ yuan, 10¹² kWh) are unreadable in digits.
_SCALES: Mapping[str, tuple[tuple[float, str], ...]] = {
    "en": ((1e12, " trillion"), (1e9, " billion"), (1e6, " million")),
    "zh": ((1e12, "万亿"), (1e8, "亿"), (1e4, "万")),
}


def amount(value: float, lang: str) -> str:
    """A number as the owner reads it in ``lang``: 1e15 is "1,000 trillion" or "1000万亿", 12000 is
    "12,000" or "1.2万"; a number that is not round in any scale keeps its digits, with separators."""
    value = float(value)
    for scale, word in _SCALES.get(lang, _SCALES["en"]):
        scaled = value / scale
        if scaled >= 1 and (scaled * 100).is_integer():  # at most two decimals in that scale
            return f"{scaled:g}{word}" if lang == "zh" else f"{scaled:,g}{word}"
    return f"{value:,.0f}" if value.is_integer() else f"{value:,g}"


def money(value: object, currency: object, lang: str) -> str:
    """An amount of money as a reader of ``lang`` writes it: "60万元" in Chinese for yuan (not "600000
    CNY", a Chengdu reviewer's note on the disclosure), the figure and its ISO code otherwise."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "n/a"
    if lang == "zh" and currency == "CNY":
        return f"{amount(float(value), lang)}元"
    return f"{float(value):.0f} {currency}"


def _beijing() -> tzinfo:
    """Asia/Shanghai from the time-zone database; without one, its fixed offset (China has kept UTC+8
    without daylight saving since 1991, before any rating)."""
    try:
        return ZoneInfo("Asia/Shanghai")
    except ZoneInfoNotFoundError:
        return timezone(timedelta(hours=8), "Asia/Shanghai")


def local_time(stamp: object, lang: str) -> str:
    """A rating's UTC time (ISO 8601, "Z") as the reader reads it: Beijing time, named, on a Chinese page
    ("2026-12-06 12:00（北京时间）"); as stored, UTC, on an English one. A value that is not a time is
    shown as it is."""
    text = str(stamp or "")
    if lang != "zh":
        return text
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if moment.tzinfo is None:
        return text
    return moment.astimezone(_beijing()).strftime("%Y-%m-%d %H:%M") + "（北京时间）"


def message(lang: str, key: str, params: Mapping[str, str]) -> str:
    """The text of an error ``key``, its numbers written for ``lang`` (:func:`amount`)."""
    written = {name: amount(float(value), lang) for name, value in params.items()}
    return texts(lang)[key].format(**written)


def texts(lang: str) -> Mapping[str, str]:
    """The page's words in ``lang`` (English for anything unknown)."""
    return _TEXTS.get(lang, _EN)
