"""The merchant form's questions, their hints and their choices: the business and its electricity, the
fuel, heat and vehicles, the optional "more details" part, and the privacy notice above the button.

What an owner reads before answering, in the order the form asks it; what the form says of an answer it
cannot take is in :mod:`service.web.catalogue.form_errors`.
"""

from __future__ import annotations

from collections.abc import Mapping

EN: Mapping[str, str] = {
    # the form's own heading: nothing is rated yet ("Your green rating" is the result page's, shared.title)
    "form_title": "Get your green rating",
    "intro": "Answer a few questions about your business and get a green rating, the reasons for it, a plan "
    "to improve it and a disclosure you can hand to any bank.",
    # the year the figures are of (company.reporting_year): "per year" and "last year" had named none, and
    # an owner answering in December read "last year's electricity" as the year the rating is of
    "figures_year": "Give your figures for {year}, the last full calendar year, from that year's bills. On "
    "this form, “this year” means {year} and “last year” means {previous}.",
    "company_name": "Business name",
    "industry": "Industry",
    "region": "Region (province)",
    "revenue": "Annual revenue (CNY)",
    "electricity": "Electricity use per year",
    "electricity_unit": "Unit",
    # the select's name for a screen reader, holding the label's word (WCAG 2.5.3): "Unit" alone, reached
    # by moving between form controls, said nothing of what it is the unit of
    "electricity_unit_name": "Unit of electricity use",
    "unit_kwh": "kWh",
    "unit_bill": "CNY (yearly bill)",
    # "green electricity", as the plan's action to buy it says; the share's unit last, in the bracket an
    # optional label closes with "(%, optional)"
    "green_share": "Green electricity bought through green certificates or green power trading, as a share "
    "of your electricity use (%)",
    # the instruments' vintage (schema 1.13): the year rated is said, as certificates of another year's
    # electricity do not count for it, and an owner does not know which year a rating is of
    "green_vintage": "Year the green electricity was generated (the year on the certificates or contract)",
    "green_vintage_hint": "This rating is of {year}. Green certificates and green power trading "
    "contracts are for the electricity of one year, and only {year}'s count here: green electricity of "
    "another year is counted like the rest of your electricity. Left empty, the green electricity is "
    "counted, and the disclosure for your bank says its year was not given.",
    # the two indicators the ticks are scored in, by the names the result's reasons give them: the result
    # said "Environmental management in place: 0%" of a question the form had never named
    "practices": "What you already do (green operating practices and environmental management)",
    "submit": "Rate my business",
    "privacy_recorded": "This service records your answers and the business name, if you give one (the name "
    "is optional).",
    "privacy_link": "Anyone with the link to your result can see the result: share it only with people you "
    "choose, such as your bank.",
    "privacy_retention": "Your answers and the results are kept until the bank that runs this service "
    "erases them: ask it how "
    "long that is.",
    "privacy_contact": "Questions about your data",
    "choose": "Choose…",
    "optional": "optional",
    "revenue_confirmed": "Yes, this is the year's revenue in yuan",
    "bill_confirmed": "Yes, this is the year's electricity bill in yuan",
    "revenue_hint": "In yuan: 900000 and 90万 both work.",
    # electricity in the rent has no bill of its own: an owner in a mall typed 0, which the standard (1.11.0)
    # doubts and caps, and whose remedy, the landlord's share, the form had not said
    "electricity_hint": "From your electricity bills: kWh for the year, or what the year's bills came to. "
    "Electricity included in the rent or the property fee, or paid through the landlord's or the mall's "
    "meter, is your use too: ask them for your share, in kWh or yuan.",
    "fuel": "Fuel burned on site (cooking, heating, boilers)",
    "fuel_unsure": "Not sure (estimated from businesses like yours: your energy use is then not scored, and "
    "the grade stops at light green)",
    # "everything runs on electricity" was untrue of a haulier's diesel lorries, who then chose "Not sure"
    "fuel_none": "None: nothing is burned on the premises (vehicles are asked below)",
    "fuel_natural_gas": "Piped natural gas",
    "fuel_lpg": "Bottled gas (LPG)",
    "fuel_coal": "Coal",
    "fuel_diesel": "Diesel (generator, oil-fired boiler)",
    "fuel_amount": "Fuel used per year",
    "fuel_amount_hint": "From the year's bills or delivery notes: piped gas in m³ (3000 or 3000 m3); bottled "
    "gas in kg (450), or as bottles (30 bottles) of the size chosen below, counted as bottles × kg a bottle; "
    "coal in kg (800) or tonnes (12 t); diesel in litres (600 or 600 L). Piped gas left empty is estimated: "
    "your energy use is then not scored, and the grade stops at light green; bottled gas, coal and diesel "
    "need the amount.",
    "lpg_bottle_kg": "Size of a gas bottle (when counted in bottles)",
    "bottle_size_choose": "Not counted in bottles",
    "bottle_kg": "{kg} kg a bottle",
    "heat": "Heat bought from a heating network or an industrial park's steam (district heating)",
    "heat_hint": "Heating or hot water from a city heating network, or steam piped in from an industrial "
    "park, paid for by a heat bill, or included in the rent or the property fee. Heat you make yourself "
    "from gas, coal or electricity is not bought: give the fuel above.",
    "heat_unsure": "Not sure (the heat is then not reported; in a region with district heating, or for a "
    "manufacturer, your energy use is then not scored)",
    "heat_none": "None: the premises are not heated by a heating network or a park's steam",
    "heat_bought": "Bought: the year's amount below",
    "heat_amount": "Heat bought per year",
    "heat_amount_hint": "From the year's heat bills or the heat meter: in GJ (1200 or 1200 GJ), or in MWh "
    "written after the number (330 MWh, counted as 3.6 GJ each). Steam billed in tonnes, and heating charged "
    "by floor area or in the rent without a metered amount, cannot be converted: choose “Not sure” above "
    "(not “None”: the heat is bought, only its amount is unknown).",
    "optional_note": " (optional)",
    # inside a label's own closing bracket: "(kWh, optional)", not "(kWh) (optional)"
    "optional_inside": ", optional",
    "more_details": "More details (optional): floor area, water, waste, last year's electricity, fuel, heat "
    "and vehicles",
    "more_details_hint": "Give each figure from your own records; a field left empty is not reported. "
    "These figures count towards how complete your data is: with too few, the grade is capped (incomplete "
    "data). To compare this year with last year, give last year's figure for each one you gave for this "
    "year: electricity, fuel, heat and vehicles. If vehicles are left “Not answered” above, the change on "
    "last year is not scored.",
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
    "previous_fuel_type_none": "None: nothing was burned on the premises",
    "previous_fuel": "Amount of last year's fuel",
    "previous_fuel_hint": "From last year's bills or delivery notes, in that fuel's units: piped gas in m³, "
    "bottled gas in kg or in bottles of the size chosen above, coal in kg or t, diesel in litres. It is "
    "compared with this year's fuel, so it needs this year's answer (None, or a fuel with its amount). With "
    "last year's fuel “None”, leave it empty.",
    "previous_heat": "Heat bought last year",
    "previous_heat_hint": "From last year's heat bills, in GJ or MWh like this year's amount. It is "
    "compared with this year's, so it needs this year's answer above (None, or the amount). If heating is "
    "charged by floor area, leave it empty.",
    # what to give in the label's bracket, not after a colon: the error summary puts "label: message"
    "previous_vehicle_amount": "Last year, vehicle group 1 together (litres of fuel bought, or km driven)",
    # the label of group n's (n from 2): the error summary names the field by it
    "previous_vehicle_amount_row": "Last year, vehicle group {n} together (litres of fuel bought, or km "
    "driven)",
    "previous_vehicle_amount_hint": "From last year's fuel receipts or odometers; write km after a "
    "distance. It is compared with this year's amount, so it needs this year's litres or km (a number of "
    "vehicles alone is an estimate, and an estimate is never compared). Give it for every group or for "
    "none, with 0 for vehicles not used last year: the vehicles are compared as a whole. If you chose "
    "“None” for vehicles, leave it empty.",
    "vehicle_groups_hint": "Give each kind of vehicle as a group of its own: two diesel vans and one "
    "electric car are two groups.",
    "vehicle_group": "Vehicle group {n}",
    "add_vehicle_group": "Add another vehicle group",
    "vehicle_fuel": "Vehicles the business runs (cars, vans, lorries)",
    # group n's (n from 2) fuel: the first group's label asks the question, "none" included
    "vehicle_fuel_row": "What these vehicles run on",
    "vehicle_fuel_row_empty": "Not used (leave this group empty)",
    "vehicle_fuel_hint": "Electric bikes and scooters charged at your premises are already in your "
    "electricity use: leave them out. Electric cars and vans are counted as charged with electricity bought "
    "at public chargers.",
    "vehicle_fuel_unsure": "Not answered (no vehicles are counted, and the change on last year is not "
    "scored)",
    "vehicle_fuel_none": "None",
    "vehicle_fuel_gasoline": "Petrol",
    "vehicle_fuel_diesel": "Diesel",
    "vehicle_fuel_hybrid": "Petrol-electric hybrid",
    "vehicle_fuel_electric": "Electric",
    "vehicle_kind": "What they are",
    "vehicle_kind_hint": "Vans and lorries burn more fuel per km than cars. For lorries, give the litres of "
    "fuel bought, or for diesel lorries the km driven: there is no typical yearly distance for a lorry to "
    "estimate from.",
    "vehicle_kind_car": "Cars",
    "vehicle_kind_van": "Vans (up to 3.5 tonnes)",
    "vehicle_kind_hgv": "Lorries (over 3.5 tonnes)",
    "vehicles": "Number of vehicles",
    "vehicles_hint": "Needed when you chose a fuel above; otherwise leave it empty.",
    "vehicle_amount": "Per year, these vehicles together (litres of fuel bought, or km driven)",
    "vehicle_amount_hint": "Litres from the fuel receipts, or km from the odometers with km after the "
    "number (such as 30000 km; electric vehicles: km only). Left empty, each vehicle is counted at a "
    "typical yearly distance, as an estimate.",
    # the refrigerant recharged (service.web.refrigerants): what the service engineer topped up is what leaked
    "refrigerant": "Refrigerant recharged in the year (air conditioning, fridges, cold room)",
    "refrigerant_hint": "When the service engineer tops up the air conditioning, a fridge or the cold room, "
    "the invoice gives the refrigerant (also on the unit's nameplate, such as R-410A) and the kg charged: "
    "what was topped up replaced what leaked, which is Scope 1. Only equipment the business owns or runs; "
    "gas charged into newly installed equipment is not a leak: leave it out.",
    "refrigerant_unsure": "Not sure (not reported: the disclosure says refrigerant leaks are left out of "
    "Scope 1)",
    "refrigerant_none": "None recharged",
    "refrigerant_R-32": "R-32 (newer air conditioners)",
    "refrigerant_R-134a": "R-134a (fridges, drinks coolers, vehicle air conditioning)",
    "refrigerant_R-410A": "R-410A (most air conditioners and heat pumps)",
    "refrigerant_R-404A": "R-404A (freezers and cold rooms)",
    "refrigerant_R-407C": "R-407C (air conditioners and chillers)",
    "refrigerant_R-507A": "R-507A (cold rooms and freezers)",
    "refrigerant_R-744": "R-744 (CO₂)",
    "refrigerant_R-22": "R-22 (older air conditioners; reported beside Scope 1, not in it)",
    "refrigerant_R-290": "R-290 (propane)",
    "refrigerant_R-600a": "R-600a (isobutane, household fridges)",
    "refrigerant_kg": "Refrigerant recharged per year (kg)",
    "refrigerant_kg_hint": "From the service invoices, in kg (such as 3 or 3 kg). With “None recharged”, "
    "leave it empty.",
    "refrigerant_2": "Another refrigerant recharged (such as the cold room's, besides the air "
    "conditioning's)",
    "refrigerant_row_empty": "No other (leave this empty)",
    "refrigerant_kg_2": "Of that refrigerant, recharged per year (kg)",
}

ZH: Mapping[str, str] = {
    "form_title": "获取您的绿色评级",
    "intro": "回答几个关于您店铺的问题，即可获得绿色评级、评级理由、改进计划，以及可交给任何银行的披露报告。",
    # no quotation marks: on this page they quote a question's whole label (“本年补充的制冷剂……”)
    "figures_year": "请按 {year} 年（上一个完整自然年度）的账单填写数据。表中所说的本年为 {year} 年，"
    "上一年为 {previous} 年。",
    "company_name": "店铺名称",
    "industry": "行业",
    "region": "地区（省份）",
    "revenue": "年营业收入（元）",
    "electricity": "年用电量",
    "electricity_unit": "单位",
    "electricity_unit_name": "用电量单位",
    "unit_kwh": "千瓦时（度）",
    "unit_bill": "元（全年电费）",
    "green_share": "购买的绿电（绿证或绿电交易）占上述用电量的百分比",
    "green_vintage": "绿电的生产年份（绿证或绿电交易合同上的年份）",
    "green_vintage_hint": "本次评级针对 {year} 年。绿证和绿电交易合同对应某一年的电量，"
    "这里只计入 {year} 年的：其他年份的绿电与其余电力一样计算。"
    "不填则绿电照常计入，提交给银行的披露报告会说明未注明年份。",
    "practices": "您已经在做的（绿色经营行为和环境管理措施）",
    "submit": "一键评级",
    "privacy_recorded": "本服务会记录您填写的答案，以及您填写的店铺名称（名称可以不填）。",
    "privacy_link": "任何持有评级结果链接的人都能看到结果，请只分享给您选定的对象，例如您的银行。",
    "privacy_retention": "您的答案和评级结果会一直保存，直到运营本服务的银行将其删除；"
    "保存多久请向该银行询问。",
    "privacy_contact": "有关您数据的问题",
    "choose": "请选择…",
    "optional": "选填",
    "revenue_confirmed": "是的，这是以元计的全年营业收入",
    "bill_confirmed": "是的，这是以元计的全年电费",
    "revenue_hint": "单位：元；填 900000 或 90万 都可以。",
    "electricity_hint": "见电费单：全年用电千瓦时数，或全年电费金额。电费包含在房租、物业费里，"
    "或通过房东、商场的电表缴纳的，也是本店的用电：请向房东或商场物业索取分摊的度数或金额。",
    "fuel": "店内燃料使用（做饭、取暖、锅炉）",
    "fuel_unsure": "不确定（按同类店铺估算；能耗指标不计分，评级最高为浅绿）",
    "fuel_none": "不使用：店内全部用电（车辆在下面填写）",
    "fuel_natural_gas": "管道天然气",
    "fuel_lpg": "瓶装液化气",
    "fuel_coal": "燃煤",
    "fuel_diesel": "柴油（发电机、燃油锅炉）",
    "fuel_amount": "全年燃料用量",
    "fuel_amount_hint": "见全年账单或送货单：管道天然气填立方米（如 3000 或 3000方）；"
    "瓶装液化气填千克（如 450），或填瓶数（如 30瓶）并在下方选择每瓶规格，按“瓶数 × 每瓶千克数”计算；"
    "燃煤填千克或吨（如 800公斤、12吨）；柴油填升（如 600 或 600升）。"
    "管道天然气不填则按估算，能耗指标不计分，评级最高为浅绿；瓶装液化气、燃煤和柴油必须填写用量。",
    "lpg_bottle_kg": "每瓶液化气规格（按瓶填写时）",
    "bottle_size_choose": "不按瓶填写",
    "bottle_kg": "每瓶 {kg} 千克",
    "heat": "外购热力（集中供暖或园区蒸汽）",
    "heat_hint": "从城市供热管网购买的暖气、热水，或从工业园区管道输送的蒸汽，按热费单付费，"
    "或包含在房租、物业费里。自己用燃气、煤或电产生的热不算外购热力，请在上面填写燃料。",
    # "在……地区或制造业企业" put a manufacturer "in" somewhere: each case is a condition of its own
    "heat_unsure": "不确定（不填报；所在地区有集中供热，或属于制造业的，能耗指标不计分）",
    "heat_none": "没有：经营场所不使用集中供暖或园区蒸汽",
    "heat_bought": "有：在下面填写全年用量",
    "heat_amount": "全年外购热力用量",
    "heat_amount_hint": "见全年热费单或热量表读数：单位吉焦（如 1200 或 1200吉焦），"
    "也可在数字后写兆瓦时（如 330兆瓦时，每兆瓦时按 3.6 吉焦计）。"
    "按吨计费的蒸汽、按面积收费或含在房租里且没有计量用量的暖气费无法换算，"
    "请在上面选“不确定”（不要选“没有”：热力是购买了的，只是用量不明）。",
    "optional_note": "（选填）",
    "optional_inside": "，选填",
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
    "previous_electricity_hint": "见上一年电费单；本年用电量也按千瓦时填写时，两年同口径对比"
    "（按电费金额填写的用电量按假定电价换算，属于估算，不参与对比）。",
    "previous_fuel_type": "上一年店内燃料",
    "previous_fuel_type_hint": "如果换过燃料，例如瓶装液化气改用管道天然气，或燃煤锅炉改用燃气或用电，"
    "请选择上一年的燃料：燃料按总量对比，换燃料带来的减排会计入。",
    "previous_fuel_type_same": "与本年相同",
    "previous_fuel_type_none": "不使用：店内全部用电",
    "previous_fuel": "上一年燃料用量",
    "previous_fuel_hint": "见上一年账单或送货单，按该燃料的单位填写：管道天然气填立方米，"
    "瓶装液化气填千克或按上面选择的每瓶规格填瓶数，燃煤填千克或吨，柴油填升。与本年燃料对比，"
    "因此需先回答本年燃料（“不使用”或燃料及其用量）。上一年燃料选“不使用”的请留空。",
    "previous_heat": "上一年外购热力用量",
    "previous_heat_hint": "见上一年热费单，单位与本年用量相同（吉焦或兆瓦时），与本年对比，"
    "因此需先在上面回答本年外购热力（没有或用量）。按面积收费的暖气费请留空。",
    "previous_vehicle_amount": "上一年第1组车辆用量（加油升数或行驶公里数）",
    "previous_vehicle_amount_row": "上一年第{n}组车辆用量（加油升数或行驶公里数）",
    "previous_vehicle_amount_hint": "见上一年加油票据或里程表；行驶里程请在数字后写“公里”。与本年用量对比，"
    "因此需先填写本年加油升数或公里数（只填车辆数按估算，估算数据不参与对比）；各组车辆须都填写或都不填，"
    "上一年未使用的车辆组填 0：车辆按整体对比。车辆选“没有”的请留空。",
    "vehicle_groups_hint": "每种车辆各填一组：例如两辆柴油面包车和一辆纯电动小汽车填两组。",
    "vehicle_group": "第{n}组车辆",
    "add_vehicle_group": "再添加一组车辆",
    "vehicle_fuel": "经营用车（小汽车、面包车、货车）",  # the words of the vehicle kinds below
    "vehicle_fuel_row": "这组车辆的能源类型",
    "vehicle_fuel_row_empty": "不填（此组留空）",
    "vehicle_fuel_hint": "在店内充电的电动自行车、电动摩托车已计入用电量，请不要填写。"
    "纯电动汽车按在公共充电桩购电计算。",
    "vehicle_fuel_unsure": "不填（不计入车辆；与上一年的对比将不计分）",
    "vehicle_fuel_none": "没有",
    "vehicle_fuel_gasoline": "汽油车",
    "vehicle_fuel_diesel": "柴油车",
    "vehicle_fuel_hybrid": "油电混合动力车",
    "vehicle_fuel_electric": "纯电动车",
    "vehicle_kind": "车辆类型",
    "vehicle_kind_hint": "面包车、货车每公里排放高于小汽车；货车须填写加油升数，柴油货车也可填行驶公里数"
    "（没有可用于估算的货车常见年行驶里程）。",
    "vehicle_kind_car": "小汽车",
    "vehicle_kind_van": "面包车、轻型厢式货车（3.5吨及以下）",
    "vehicle_kind_hgv": "货车（3.5吨以上）",
    "vehicles": "车辆数",
    "vehicles_hint": "上面选择了车辆能源类型时必填，否则不填。",
    "vehicle_amount": "这组车辆全年用量（加油升数或行驶公里数）",
    "vehicle_amount_hint": "加油升数见加油票据；行驶里程见里程表，请在数字后写“公里”（例如 30000公里；"
    "纯电动车只填公里数）。不填则每辆车按常见的年行驶里程估算。",
    "refrigerant": "本年补充的制冷剂（空调、冰箱、冷库）",
    "refrigerant_hint": "维修人员给空调、冰箱或冷库补充（加注）制冷剂时，维修发票上写有制冷剂种类"
    "（设备铭牌上也有，例如 R-410A）和加注的千克数：补充的量就是泄漏的量，计入范围一。"
    "只填本店拥有或使用的设备；新装设备首次充注的制冷剂不是泄漏，请不要填写。",
    "refrigerant_unsure": "不确定（不填报；披露报告将说明范围一未包含制冷剂泄漏）",
    "refrigerant_none": "本年没有补充",
    "refrigerant_R-32": "R-32（较新的空调）",
    "refrigerant_R-134a": "R-134a（冰箱、饮料冷柜、车辆空调）",
    "refrigerant_R-410A": "R-410A（多数空调和热泵）",
    "refrigerant_R-404A": "R-404A（冷冻柜、冷库）",
    "refrigerant_R-407C": "R-407C（空调、冷水机组）",
    "refrigerant_R-507A": "R-507A（冷库、冷冻柜）",
    "refrigerant_R-744": "R-744（二氧化碳）",
    "refrigerant_R-22": "R-22（老式空调；在范围一之外单独列示）",
    "refrigerant_R-290": "R-290（丙烷）",
    "refrigerant_R-600a": "R-600a（异丁烷，家用冰箱）",
    "refrigerant_kg": "全年补充的制冷剂（千克）",
    "refrigerant_kg_hint": "见维修发票，单位千克（如 3 或 3公斤）。选“本年没有补充”的请留空。",
    "refrigerant_2": "补充的另一种制冷剂（例如空调之外冷库用的）",
    "refrigerant_row_empty": "没有其他（此项留空）",
    "refrigerant_kg_2": "这种制冷剂全年补充量（千克）",
}
