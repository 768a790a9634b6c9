"""The short form's fixed choices: the industries, regions and practices an owner picks from, the unit
the electricity is given in, and the vehicles' fuel.

Each is a code the contract takes, with its English and Chinese words where the page shows them; an
industry, region, unit or vehicle fuel outside them is refused (``invalid_choice``), never guessed. The
fuels' and the heat's answers are with their rules in :mod:`service.web.fuels` and :mod:`service.web.heat`.
"""

from __future__ import annotations

from collections.abc import Mapping

# ISIC Rev.4 classes a small shop or workshop owner recognises; each maps to a sector of the standard's
# benchmarks (rating_model/data/sector_benchmarks.json: divisions), and none is an excluded activity.
INDUSTRIES: tuple[tuple[str, str, str], ...] = (
    ("5610", "Restaurant or cafe", "餐馆、咖啡店"),
    ("5621", "Catering", "餐饮配送"),
    ("4711", "Grocery or convenience store", "便利店、杂货店"),
    ("4771", "Clothing or shoe shop", "服装鞋帽店"),
    ("4721", "Food shop", "食品店"),
    # ISIC 4773 includes flowers and plants: a florist had only the grocery to choose, and the disclosure it
    # handed its bank named "retail sale in non-specialized stores with food ... predominating"
    ("4773", "Florist or other specialised shop", "花店等其他专卖店"),
    ("1071", "Bakery (own production)", "烘焙坊（自产）"),
    # workshops: a garment workshop burning coal had no industry to choose (a rural bank's review)
    ("1410", "Garment making", "服装加工、制衣"),
    ("1079", "Food processing", "食品加工"),
    ("1811", "Printing", "印刷"),
    ("3100", "Furniture making", "家具制作"),
    ("2599", "Metal products workshop", "五金加工"),
    ("9602", "Hairdresser or beauty salon", "美发美容"),
    ("9601", "Laundry", "洗衣店"),
    ("5510", "Hotel or guesthouse", "酒店、民宿"),
    ("4520", "Car repair", "汽车维修"),
    ("8510", "Training or tutoring", "培训、教育"),
    ("6810", "Office or real-estate services", "办公、房产服务"),
    # a haulier and a courier: the form asks for their vans and lorries (engine 2.9), yet offered them no
    # trade of their own, so a road-freight firm rated as an office or a shop (transport_logistics sector)
    ("4923", "Road freight (lorries, vans)", "道路货运"),
    ("5320", "Courier or delivery", "快递、同城配送"),
)

# ISO 3166-2:CN provinces, municipalities and autonomous regions (the grid factor follows the region).
REGIONS: tuple[tuple[str, str, str], ...] = (
    ("CN-BJ", "Beijing", "北京"),
    ("CN-TJ", "Tianjin", "天津"),
    ("CN-HE", "Hebei", "河北"),
    ("CN-SX", "Shanxi", "山西"),
    ("CN-NM", "Inner Mongolia", "内蒙古"),
    ("CN-LN", "Liaoning", "辽宁"),
    ("CN-JL", "Jilin", "吉林"),
    ("CN-HL", "Heilongjiang", "黑龙江"),
    ("CN-SH", "Shanghai", "上海"),
    ("CN-JS", "Jiangsu", "江苏"),
    ("CN-ZJ", "Zhejiang", "浙江"),
    ("CN-AH", "Anhui", "安徽"),
    ("CN-FJ", "Fujian", "福建"),
    ("CN-JX", "Jiangxi", "江西"),
    ("CN-SD", "Shandong", "山东"),
    ("CN-HA", "Henan", "河南"),
    ("CN-HB", "Hubei", "湖北"),
    ("CN-HN", "Hunan", "湖南"),
    ("CN-GD", "Guangdong", "广东"),
    ("CN-GX", "Guangxi", "广西"),
    ("CN-HI", "Hainan", "海南"),
    ("CN-CQ", "Chongqing", "重庆"),
    ("CN-SC", "Sichuan", "四川"),
    ("CN-GZ", "Guizhou", "贵州"),
    ("CN-YN", "Yunnan", "云南"),
    ("CN-XZ", "Tibet", "西藏"),
    ("CN-SN", "Shaanxi", "陕西"),
    ("CN-GS", "Gansu", "甘肃"),
    ("CN-QH", "Qinghai", "青海"),
    ("CN-NX", "Ningxia", "宁夏"),
    ("CN-XJ", "Xinjiang", "新疆"),
)

PRACTICES: tuple[tuple[str, str, str], ...] = (
    ("led_lighting", "LED lighting everywhere", "全部使用 LED 照明"),
    ("energy_efficient_equipment", "Energy-efficient (grade 1) appliances", "使用一级能效设备"),
    ("e_invoicing", "Electronic invoices", "使用电子发票"),
    # any sector's wording: "点单" (ordering food) was shown to hair salons and laundries
    ("digital_ordering", "Customers order or book by QR code or online", "顾客扫码或线上下单、预约"),
    ("waste_sorting", "Waste sorted at the source", "垃圾分类"),
    ("green_packaging", "Recyclable or reduced packaging", "可回收或减量包装"),
    ("water_saving_equipment", "Water-saving taps and appliances", "使用节水器具"),
    ("environmental_policy", "A written environmental policy", "有书面环境政策"),
    ("climate_responsible_person", "A person in charge of climate and energy", "指定了气候与能源负责人"),
    ("green_procurement_policy", "Green-labelled products preferred in buying", "采购优先选择绿色认证产品"),
    ("energy_audit", "An energy audit has been done", "做过能源审计"),
    ("iso14001", "ISO 14001 certified", "通过 ISO 14001 环境管理体系认证"),
)
ELECTRICITY_KEYS = {"kwh": "electricity_kwh", "bill": "electricity_spend"}


#: The answers to "vehicles the business runs": ``""`` is not answered (the standard has no sector default
#: for vehicles, so none are counted, and the page's choice says so), ``none`` is an answer
#: (``transport.fleet: []``), and a fuel asks how many vehicles run on it. A count alone is priced at the
#: seed distance (12,000 km a vehicle at its class's factor, flagged as an estimate). The year's amount, when
#: the owner knows it, replaces the seed: the fuel bought, in litres, for a combustion engine (priced by
#: the fuel's own factor, whatever the vehicle: a lorry is not a car), the distance for an electric one.
VEHICLE_AMOUNTS: Mapping[str, tuple[str, str]] = {
    "gasoline": ("fuel_quantity", "L"), "diesel": ("fuel_quantity", "L"), "hybrid": ("fuel_quantity", "L"),
    "electric": ("km", "km"),
}
VEHICLE_CHOICES: tuple[str, ...] = ("", "none", *VEHICLE_AMOUNTS)
#: What the vehicles are (``transport.fleet.*.vehicle_type``): a car, a van up to 3.5 t, a lorry (``hgv``).
#: It prices a count or an electric vehicle's km at its class's per-km factor (a van's diesel is not a
#: car's); the litres are priced by the fuel, whatever the vehicle. Car, the first, is the contract's
#: default and is sent as no class at all.
VEHICLE_KINDS: tuple[str, ...] = ("car", "van", "hgv")
