"""What the form says beside a field whose answer it cannot take: the keys of
:class:`service.web.amounts.FieldError`, made by :mod:`service.web.amounts`, :mod:`service.web.form`,
:mod:`service.web.fuels` and :mod:`service.web.heat`, and the summary above the form that lists them.

Most name what the field takes instead (its units, the answer it depends on) rather than a bare "not
valid"; kept apart from the questions, a field's refusals can be reviewed together in both languages.
A figure to confirm names the box to tick by its label, taken from the questions so the two cannot drift:
"the box below" was a position, which the summary above the form and a screen reader's reading of the
field's description do not have.
"""

from __future__ import annotations

from collections.abc import Mapping

from service.web.catalogue import questions

EN: Mapping[str, str] = {
    # what to change, and where: the share is of kWh, and a bill's yuan has none
    "green_needs_kwh": "To give the green electricity you bought, give your electricity use in kWh (choose "
    "“" + questions.EN["unit_kwh"] + "” under “" + questions.EN["electricity_unit"] + "”), or leave this "
    "empty.",
    "errors": "Please check these fields",
    "invalid": "Please enter a valid value.",
    "invalid_choice": "Please choose one of the options.",
    "required": "Please fill this in.",
    # the three figures every rating needs, left empty: what each asks, as the GOV.UK pattern has it
    "employees_required": "Enter the number of people who work in the business, such as 6.",
    "revenue_required": "Enter the year's revenue in yuan, such as 900000.",
    "electricity_required": "Enter the year's electricity from your bills: the kWh, or what the bills came "
    "to in yuan with “" + questions.EN["unit_bill"] + "” chosen under “" + questions.EN["electricity_unit"]
    + "”.",
    "not_a_number": "Enter a number, such as 12000 or 1.2万.",
    "employees_not_a_number": "Enter the number of people, such as 6.",
    "vehicles_not_a_number": "Enter the number of vehicles, such as 1 or 2.",
    "vehicles_needed": "Enter how many of these vehicles the business runs, such as 1 or 2.",
    "previous_electricity_money": "This looks like an amount of money: give last year's kWh from last "
    "year's bills, such as 12000 or 1.2万. A bill's amount cannot be compared with this year's: if you have "
    "only the amount, leave this empty.",
    "percent_not_a_number": "Enter the percentage as a number, such as 20 or 20%.",
    "share_below_one": "Is that {share}% of your electricity? If you meant {percent}%, write {percent}; if "
    "it is {share}%, write {share}%.",
    "vintage_not_a_year": "Enter the year in four digits, from {first_year} to {last_year}, such as {year}.",
    "vintage_needs_share": "Give the share of green electricity above first, or leave the year empty.",
    # 斤 (0.5 kg), which a restaurant weighs its waste in, is not converted: it is said how, as in Chinese
    "waste_not_a_number": "Enter the tonnes (such as 6 or 6 t), or the kg (such as 800 kg). If you weigh "
    "it in 斤 (jin), halve the figure for kg: 800斤 is 400 kg.",
    "not_whole": "Enter a whole number, such as 6.",
    "decimal_comma": "Use a point for decimals (1.5), and commas only between thousands (1,500,000).",
    "revenue_unlikely": "That is {per} yuan a year per employee: is it the year's revenue in yuan (90万 is "
    "900000)? Correct it, or tick “" + questions.EN["revenue_confirmed"] + "” if it is right.",
    "bill_unlikely": "A yearly electricity bill of {bill} yuan is more than the year's revenue ({revenue} "
    "yuan): is 万 typed twice, or is it kWh (choose “" + questions.EN["unit_kwh"] + "” under “"
    + questions.EN["electricity_unit"] + "”)? Correct it, or tick “"
    + questions.EN["bill_confirmed"] + "” if it is right.",
    # a typed kWh's "too_large", said of the kWh the bill converts into
    "bill_too_large": "At the standard's assumed tariff of {tariff} yuan per kWh, that is more than {max} "
    "kWh; please check the figure.",
    "too_small": "Enter at least {min}.",
    "too_large": "That is more than {max}; please check the figure.",
    "error_prefix": "Error: ",
    "fuel_forms_natural_gas": "Enter the cubic metres of gas, such as 3000, 3000 m3 or 3000方.",
    # the size's question by its whole label, from the questions' words (it had "Size of a gas bottle")
    "fuel_forms_lpg": "Enter the bottled gas used in the year: kg (such as 450 or 450 kg), or the number of "
    "bottles (such as 30 bottles) with their size chosen under “" + questions.EN["lpg_bottle_kg"] + "”.",
    "fuel_forms_coal": "Enter the coal burned in the year, in kg or tonnes, such as 800 kg or 12 t.",
    "fuel_forms_diesel": "Enter the diesel burned in the year, in litres from the delivery notes, "
    "such as 600 or 600 L.",
    "gas_money": "This looks like an amount of money: give the gas used, in m³, from the gas bills (such as "
    "3000 or 3000 m3). With only the amount in yuan, leave it empty: it is then estimated from businesses "
    "like yours, your energy use is not scored, and the grade stops at light green.",
    "bottle_size_needed": "Choose the size of a bottle (5, 15 or 50 kg), or give the amount in kg.",
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
    "electricity bills came to, choose “" + questions.EN["unit_bill"] + "” under “"
    + questions.EN["electricity_unit"] + "”; if it is kWh, type the number "
    "alone, such as 12000 or 1.2万.",
    "wan_and_digits": "Write it as 1.2万 or 12000.",
    "w_for_wan": "Write 万 for “w”, or the whole number: 2.4w as 2.4万 or 24000.",
    # the fuel receipts' yuan typed for the vehicles: "enter a number" did not say that litres are asked
    "vehicle_money": "This looks like an amount of money: give the litres of fuel bought, printed on each "
    "fuel receipt beside the amount paid, or the km driven (such as 30000 km). With only the amounts paid, "
    "leave this empty: each vehicle is then counted at a typical yearly distance, as an estimate.",
    "lorry_money": "This looks like an amount of money: give the litres of fuel bought, printed on each fuel "
    "receipt beside the amount paid, or a diesel lorry's km driven. Lorries need their litres or km: there "
    "is no typical yearly distance of a lorry to estimate with.",
    "previous_vehicle_money": "This looks like an amount of money: give last year's litres of fuel bought, "
    "from the fuel receipts, or the km driven. With only the amounts paid, leave this empty.",
    "previous_fuel_none": "This year's fuel is “None”, so choose the fuel burned last year under “Fuel "
    "burned on site last year” to give its amount; otherwise leave this empty.",
    "previous_fuel_amount_beside_none": "Last year's fuel is “None”, which has no amount: leave this empty, "
    "or choose the fuel burned last year.",
    "previous_fuel_amount_needed": "Give the amount of last year's fuel, from last year's bills or delivery "
    "notes, or choose “The same fuel as this year” and leave this empty.",
    "previous_fuel_needs_this_year": "Answer this year's fuel above first (None, or a fuel with its "
    "amount): last year's is compared with it (“Not sure”, or piped gas without its amount, is estimated, "
    "and an estimate is never compared).",
    "previous_heat_needs_this_year": "Answer this year's heat above first (None, or the amount bought): "
    "last year's is compared with it, and a year left out is never compared.",
    "previous_vehicles_none": "This year's vehicles are “None”, which needs no figure for last year: leave "
    "this empty.",
    "previous_vehicles_need_this_year": "Choose what the vehicles run on and give this year's litres or km "
    "above first: last year's is compared with them (vehicles counted alone are an estimate, never "
    "compared).",
    "previous_vehicles_every_group": "Give last year's litres or km of this group too (0 if these vehicles "
    "were not run last year), or leave last year's figures of every group empty: the vehicles are compared "
    "as a whole.",
    "vehicle_groups_beside_none": "The first group of vehicles is answered “None”: choose its fuel there, "
    "or leave this group empty.",
    "needs_waste": "Give the year's waste above first.",
    "recycled_above_waste": "That is more than the year's waste ({waste} t): the waste recycled is part of "
    "it. Please check both figures.",
    "fuel_needs_gas": "Choose which fuel this is above, or leave the amount empty.",
    "vehicle_needs_fuel": "Choose what the vehicles run on above, or leave this empty.",
    "lorry_needs_litres": "For lorries, give the litres of fuel bought in the year (or, for diesel lorries, "
    "the km driven, such as 80000 km): there is no typical yearly distance of a lorry to estimate with.",
    "lorry_km_needs_diesel": "Km are taken of diesel lorries only (no factor per km is published for "
    "other lorries): give the litres of fuel bought in the year.",
    # charged elsewhere, their electricity is in no field: "leave them out" alone lost it from Scope 2
    # not "choose None": a haulier's disclosure would tell its bank that it runs no vehicles
    "lorry_electric": "No emission factor is published for electric lorries: leave them out of this question "
    "and count their charging in the electricity above: charged at your premises, it is there already; at "
    "public chargers, add the kWh charged.",
    "hybrid_van_needs_litres": "For hybrid vans, give the litres of petrol bought in the year: no factor per "
    "vehicle or per km is published for them.",
    "unstorable": "This contains a character that cannot be stored; please type it again.",
    "too_long": "Use at most {max} characters.",
    "not_rated": "These answers cannot be rated as given; please check them.",
    # the refrigerant recharged (service.web.refrigerants)
    "refrigerant_kg_needed": "Enter the kg recharged in the year, from the service invoice (such as 3 or 3 "
    "kg); if it is not known, choose “Not sure” under “" + questions.EN["refrigerant"] + "”.",
    "refrigerant_needs_gas": "Choose the refrigerant recharged above to give its kg; with “Not sure”, "
    "leave this empty.",
    "refrigerant_kg_beside_none": "“None recharged” has no amount: leave this empty (or 0), or choose the "
    "refrigerant recharged.",
    "refrigerant_row_beside_none": "The first refrigerant is answered “None recharged”: choose the gas "
    "recharged there, or leave this empty.",
    "refrigerant_row_beside_unsure": "Choose the first refrigerant recharged above first, or leave this "
    "empty.",
    "refrigerant_needs_gas_row": "Choose which refrigerant these kg are of, or leave them empty.",
    # 斤, which an air-conditioning service invoice may give, is said how to convert, as in Chinese
    "refrigerant_kg_not_a_number": "Enter the kg, such as 3 or 3 kg. If it is in 斤 (jin), halve the "
    "figure for kg: 6斤 is 3 kg.",
    # the API's refusal (422 on refrigerants.*.gas) in the page's words, and what the owner can do instead
    "refrigerant_no_gwp": "The factor set has no cited GWP100 for this refrigerant, so a recharge of it "
    "cannot be rated (the API refuses it too). Give 0 kg if none was recharged; otherwise choose “Not "
    "sure” under “" + questions.EN["refrigerant"] + "”: the disclosure then says refrigerant leaks are "
    "left out of Scope 1.",
}

ZH: Mapping[str, str] = {
    "green_needs_kwh": "要填写购买的绿色电力，请以千瓦时填写用电量（把“" + questions.ZH["electricity_unit"]
    + "”改为“" + questions.ZH["unit_kwh"] + "”），"
    "或将此项留空。",
    "errors": "请检查以下各项",
    "invalid": "请输入有效的数值。",
    "invalid_choice": "请从选项中选择。",
    "required": "请填写此项。",
    "employees_required": "请填写员工人数，例如 6。",
    "revenue_required": "请填写全年营业收入（元），例如 900000 或 90万。",
    "electricity_required": "请按电费单填写全年用电：千瓦时数，或在“" + questions.ZH["electricity_unit"]
    + "”中选“" + questions.ZH["unit_bill"] + "”后填写全年电费金额。",
    "not_a_number": "请输入数字，例如 12000 或 1.2万。",
    "employees_not_a_number": "请输入人数，例如 6。",
    "vehicles_not_a_number": "请输入车辆数，例如 1 或 2。",
    "vehicles_needed": "请填写这类车辆的数量，例如 1 或 2。",
    "previous_electricity_money": "这看起来是金额：请按上一年电费单填写上一年用电千瓦时数，"
    "例如 12000 或 1.2万。电费金额无法与本年对比：只有金额的，请留空。",
    "percent_not_a_number": "请用数字填写百分比，例如 20 或 20%。",
    "share_below_one": "是用电量的 {share}% 吗？如果是 {percent}%，请填 {percent}；如果确实是 {share}%，"
    "请填 {share}%。",
    "vintage_not_a_year": "请填写四位数的年份，在 {first_year} 至 {last_year} 之间，例如 {year}。",
    "vintage_needs_share": "请先在上面填写绿电所占百分比，或将年份留空。",
    # 斤, which a restaurant weighs its waste in, is not converted: it is said how
    "waste_not_a_number": "请填写吨数（如 6 或 6吨）或千克数（如 800公斤）；"
    "按斤计的请换算成公斤（1斤 = 0.5公斤）。",
    "not_whole": "请输入整数，例如 6。",
    "decimal_comma": "小数请用小数点（1.5），逗号只用于千位分隔（1,500,000）。",
    # yuan written after the figure as every amount of money is ("{bill}元", "60万元"): "5,000 元" was alone
    "revenue_unlikely": "折合每名员工每年 {per}元。这是以元计的全年营业收入吗（90万 即 900000）？"
    "如有误请更正；如无误，请勾选“" + questions.ZH["revenue_confirmed"] + "”。",
    "bill_unlikely": "全年电费 {bill}元 超过了全年营业收入（{revenue}元）：是否多写了一个“万”，"
    "或者填写的其实是千瓦时（请把“" + questions.ZH["electricity_unit"] + "”改为“" + questions.ZH["unit_kwh"]
    + "”）？如有误请更正；如无误，请勾选“"
    + questions.ZH["bill_confirmed"] + "”。",
    "bill_too_large": "按评级标准假定的电价 {tariff} 元/千瓦时换算，超过了 {max} 千瓦时，请核对数值。",
    "too_small": "请输入不小于 {min} 的数值。",
    "too_large": "超过了 {max}，请核对数值。",
    "error_prefix": "错误：",
    "fuel_forms_natural_gas": "请填写立方米数，例如 3000、3000方 或 3000立方米。",
    "fuel_forms_lpg": "请填写全年液化气用量：千克数（如 450 或 450公斤），"
    "或瓶数（如 30瓶）并在“" + questions.ZH["lpg_bottle_kg"] + "”中选择规格。",
    "fuel_forms_coal": "请填写全年燃煤量，单位千克或吨，例如 800公斤 或 12吨。",
    "fuel_forms_diesel": "请按送货单填写全年柴油用量，单位升，例如 600 或 600升。",
    "gas_money": "这看起来是金额：请按燃气账单填写全年用气量（立方米），例如 3000 或 3000方。"
    "只有金额时请将此项留空：将按同类店铺估算，能耗指标不计分，评级最高为浅绿。",
    "bottle_size_needed": "请选择每瓶规格（5、15 或 50 千克），或直接填写千克数。",
    "heat_forms": "请按热费单填写全年外购热力，单位吉焦（如 1200 或 1200吉焦）或兆瓦时（如 330兆瓦时）。"
    "按吨计费的蒸汽、按面积收费的暖气费无法换算，请在上面选“不确定”。",
    "heat_money": "热费金额（元）无法换算为热量：请按热费单或热量表填写外购热力用量，单位吉焦或兆瓦时；"
    "只有金额时，请在上面选“不确定”。",
    "previous_heat_forms": "请按上一年热费单填写外购热力，单位吉焦（如 1200 或 1200吉焦）"
    "或兆瓦时（如 330兆瓦时）。按吨计费的蒸汽或按面积收费的暖气费无法换算，请将此项留空。",
    "previous_heat_money": "热费金额（元）无法换算为热量：请按上一年热费单或热量表填写用量，"
    "单位吉焦或兆瓦时；只有金额时，请将此项留空。",
    "heat_needs_bought": "要填写用量，请在上面选“有”（选“没有”时只能填 0），或不填此项。",
    # 公斤, as an owner says it and the hints write it (the form reads 千克, 公斤 and kg alike)
    "bottles_or_kg": "已选择每瓶规格：{n} 是瓶数还是千克数？请写 {n}瓶 或 {n}公斤。",
    "electricity_looks_like_money": "这看起来是金额：如果是全年电费，请把“" + questions.ZH["electricity_unit"]
    + "”改为“" + questions.ZH["unit_bill"] + "”；"
    "如果是千瓦时，请只填数字，例如 12000 或 1.2万。",
    "wan_and_digits": "请写成 1.2万 或 12000。",
    "w_for_wan": "请把“w”写成“万”，或写出整数：例如 2.4w 写成 2.4万 或 24000。",
    "vehicle_money": "这看起来是金额：请填写加油升数（加油小票上金额旁印有升数），"
    "或行驶公里数（例如 30000公里）。只有金额时请将此项留空，每辆车将按常见的年行驶里程估算。",
    "lorry_money": "这看起来是金额：请填写加油升数（加油小票上金额旁印有升数），柴油货车也可填行驶公里数。"
    "货车须填写加油升数或公里数：没有可用于估算的货车常见年行驶里程。",
    "previous_vehicle_money": "这看起来是金额：请按上一年的加油小票填写加油升数，或填写行驶公里数。"
    "只有金额时请将此项留空。",
    "previous_fuel_none": "本年燃料选的是“不使用”，如要填写上一年用量，"
    "请先在“上一年店内燃料”中选择上一年的燃料，否则请留空。",
    "previous_fuel_amount_beside_none": "上一年燃料选的是“不使用”，无需填写用量："
    "请留空，或选择上一年使用的燃料。",
    "previous_fuel_amount_needed": "请填写上一年燃料用量（见上一年账单或送货单），"
    "或选择“与本年相同”并将用量留空。",
    "previous_fuel_needs_this_year": "请先在上面回答本年燃料（选“不使用”，或选择燃料并填写用量）："
    "上一年用量要与之对比（选“不确定”或未填用量的管道天然气按估算，估算数据不参与对比）。",
    "previous_heat_needs_this_year": "请先在上面回答本年外购热力（选“没有”或填写用量）："
    "上一年用量要与之对比，未填报的年度不参与对比。",
    "previous_vehicles_none": "本年车辆选的是“没有”，无需填写上一年用量，请留空。",
    "previous_vehicles_need_this_year": "请先在上面选择车辆能源类型并填写本年加油升数或行驶公里数："
    "上一年用量要与之对比（只填车辆数按估算，估算数据不参与对比）。",
    "previous_vehicles_every_group": "请同时填写这组车辆上一年的加油升数或公里数（上一年未使用的填 0），"
    "或将各组上一年用量都留空：车辆按整体对比。",
    "vehicle_groups_beside_none": "第1组车辆选的是“没有”：请在那里选择能源类型，或将此组留空。",
    "needs_waste": "请先填写全年产生的废弃物。",
    "recycled_above_waste": "多于全年产生的废弃物（{waste}吨）：回收利用的部分包含在全年废弃物之中，"
    "请核对这两个数值。",
    "fuel_needs_gas": "请先在上面选择燃料种类，或将用量留空。",
    "vehicle_needs_fuel": "请先在上面选择车辆的能源类型，或将此项留空。",
    "lorry_needs_litres": "货车请填写全年加油升数（柴油货车也可填行驶公里数，例如 80000公里）："
    "没有可用于估算的货车常见年行驶里程。",
    "lorry_km_needs_diesel": "只有柴油货车可填行驶公里数（其他货车没有公开的每公里排放因子）："
    "请填写全年加油升数。",
    "lorry_electric": "电动货车尚无公开的排放因子：此题请不要填写电动货车，"
    "其充电用电计入上面的用电量：在经营场所充电的已包含在内；在公共充电桩充电的，请把充电度数加到上面的用电量中。",
    "hybrid_van_needs_litres": "混合动力面包车请填写全年加油升数：没有按车辆数或公里数估算的排放因子。",
    "unstorable": "含有无法保存的字符，请重新输入。",
    "too_long": "最多 {max} 个字符。",
    "not_rated": "无法按这些答案评级，请检查后重新提交。",
    "refrigerant_kg_needed": "请按维修发票填写全年补充的千克数（如 3 或 3公斤）；不清楚的，请在“"
    + questions.ZH["refrigerant"] + "”中选“不确定”。",
    "refrigerant_needs_gas": "要填写千克数，请先在上面选择补充的制冷剂；选“不确定”时请留空。",
    "refrigerant_kg_beside_none": "选的是“本年没有补充”，无需填写用量："
    "请留空（或填 0），或选择补充的制冷剂。",
    "refrigerant_row_beside_none": "第一种制冷剂选的是“本年没有补充”："
    "请在那里选择补充的制冷剂，或将此项留空。",
    "refrigerant_row_beside_unsure": "请先在上面选择补充的第一种制冷剂，或将此项留空。",
    "refrigerant_needs_gas_row": "请选择这些千克数是哪种制冷剂的，或将其留空。",
    "refrigerant_kg_not_a_number": "请填写千克数，例如 3 或 3公斤；按斤计的请换算成公斤（1斤 = 0.5公斤）。",
    "refrigerant_no_gwp": "排放因子集中没有这种制冷剂有出处的 GWP100 值，"
    "无法计算其补充量的排放（API 同样不予受理）。"
    "没有补充的请填 0；否则请在“" + questions.ZH["refrigerant"] + "”中选“不确定”："
    "披露报告将说明范围一未包含制冷剂泄漏。",
}
