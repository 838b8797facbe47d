"""Deterministic seed data for the emulator: Attio *write payloads* for companies, people and deals.

This module owns the name pools and the generators that turn them into the plain ``values`` dicts
one would send as ``POST /v2/objects/{object}/records`` ``{"data": {"values": ...}}``. It does no
I/O, keeps no state between calls, and imports nothing from the rest of the package, so the
emulator, the tests and the benchmarks can all seed from it without pulling anything else in.

Every generator takes a ``seed`` and gives the same sequence for the same arguments, on any
machine and any ``PYTHONHASHSEED``: each call owns a ``random.Random`` seeded from a string
(hashed with SHA-512 by :mod:`random`, not with :func:`hash`), and the global generator is never
touched. The string mixes in the object's name so that ``seed=0`` gives unrelated streams for
companies, people and deals.

Uniqueness follows Attio's unique attributes: ``companies.domains`` and ``people.email_addresses``
are unique across the whole of one call, whatever ``n`` is. Values use the write shapes of
API-NOTES §2: a location is an object with all ten keys (latitude and longitude as strings), a
personal name is ``{first_name, last_name, full_name}``, phone numbers are E.164 strings and
record references to companies are plain domain strings.
"""

from __future__ import annotations

import itertools
import random
import unicodedata
from collections.abc import Iterator, Sequence
from typing import Any, Final, TypeVar

__all__ = [
    "COMPANY_CATEGORIES",
    "COMPANY_NAME_WORDS",
    "DEAL_STAGES",
    "FIRST_NAMES",
    "JOB_TITLES",
    "LAST_NAMES",
    "PHONE_NUMBERS",
    "generate_companies",
    "generate_deals",
    "generate_people",
]

# --------------------------------------------------------------------------------------------
# Pools
# --------------------------------------------------------------------------------------------

FIRST_NAMES: Final[tuple[str, ...]] = (
    # English-speaking world
    "Ada", "Grace", "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda",
    "William", "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
    "Sarah", "Charles", "Karen", "Emily", "Daniel", "Olivia", "Matthew", "Emma", "Henry",
    "Charlotte", "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Sophie", "Noah",
    "Chloe", "Ethan", "Hannah", "Liam", "Mia", "Benjamin", "Zoë", "Samuel", "Abigail",
    # Irish, Scottish, Welsh
    "Siobhán", "Cian", "Aoife", "Niamh", "Seán", "Rhys", "Cerys", "Eilidh", "Callum",
    # Spanish and Latin American
    "José", "María", "Juan", "Carmen", "Luis", "Lucía", "Carlos", "Sofía", "Javier", "Valentina",
    "Diego", "Camila", "Mateo", "Gabriela", "Alejandro", "Ximena", "Andrés", "Paula", "Joaquín",
    # Portuguese and Brazilian
    "João", "Ana", "Pedro", "Beatriz", "Thiago", "Larissa", "Gonçalo", "Inês",
    # French
    "Camille", "Louis", "Hugo", "Léa", "Théo", "Manon", "Antoine", "Élodie", "Mathilde",
    # German, Dutch, Swiss
    "Jürgen", "Anke", "Lukas", "Lena", "Felix", "Greta", "Matthias", "Katrin", "Jonas", "Sabine",
    "Daan", "Sanne", "Joris", "Femke",
    # Nordic and Finnish
    "Björn", "Astrid", "Søren", "Ingrid", "Lars", "Freya", "Sigrid", "Anders", "Maja", "Øyvind",
    "Eero", "Aino",
    # Italian and Greek
    "Giulia", "Marco", "Francesca", "Luca", "Chiara", "Alessandro", "Giorgia", "Nikos", "Eleni",
    "Yannis", "Dimitra",
    # Central and Eastern European
    "Łukasz", "Agnieszka", "Katarzyna", "Piotr", "Zofia", "Tomasz", "Dmitri", "Olga", "Ivan",
    "Anastasia", "Milan", "Jelena", "Nikola", "Petra", "Ioana", "Andrei",
    # Turkish, Arabic, Persian, Hebrew
    "Emre", "Elif", "Mehmet", "Zeynep", "Burak", "Ayşe", "Omar", "Fatima", "Ahmed", "Layla",
    "Yusuf", "Amira", "Karim", "Nour", "Hassan", "Salma", "Tariq", "Mariam", "Dariush", "Shirin",
    "Arash", "Parisa", "Noa", "Yonatan", "Tamar", "Eitan",
    # South Asian
    "Aarav", "Priya", "Rohan", "Ananya", "Vikram", "Arjun", "Diya", "Rahul", "Kavya", "Sanjay",
    "Lakshmi", "Anil", "Meera", "Ishaan", "Pooja", "Siddharth", "Neha", "Imran", "Ayesha",
    "Farhan", "Nadia",
    # East and South-East Asian
    "Wei", "Jing", "Xiaoming", "Mei", "Hao", "Yan", "Jun", "Zhen", "Xin", "Ying", "Haruto", "Yui",
    "Sota", "Aoi", "Ren", "Sakura", "Kenji", "Yuki", "Hiroshi", "Emi", "Min-jun", "Seo-yeon",
    "Ji-ho", "Ha-eun", "Jae-won", "Minh", "Linh", "Thao", "Duc", "Huong", "Somchai", "Malai",
    "Putri", "Budi", "Dewi", "Agus", "Mariel", "Paolo",
    # African
    "Chinedu", "Ngozi", "Oluwaseun", "Amara", "Kwame", "Akosua", "Kofi", "Abena", "Tendai",
    "Nomvula", "Thabo", "Zanele", "Jabari", "Wanjiru", "Kamau", "Amani", "Yohannes", "Selam",
    "Abebe", "Tigist", "Moussa", "Aminata", "Ibrahim", "Fatoumata",
    # Māori, Pacific, Hawaiian
    "Aroha", "Tāne", "Keanu", "Leilani", "Mere", "Sione",
)  # fmt: skip

LAST_NAMES: Final[tuple[str, ...]] = (
    # English-speaking world
    "Lovelace", "Hopper", "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis",
    "Wilson", "Anderson", "Taylor", "Moore", "Jackson", "Martin", "Thompson", "White", "Harris",
    "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill",
    "Green", "Adams", "Baker", "Carter", "Mitchell", "Roberts", "Turner", "Campbell", "Parker",
    "Evans", "Edwards", "Collins", "Stewart", "Morris", "Murphy", "Cook", "O'Brien", "O'Connor",
    "MacDonald", "Fitzgerald", "Ó Súilleabháin",
    # Spanish and Latin American
    "García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Fernández",
    "Sánchez", "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Morales", "Ortiz",
    "Castillo", "Jiménez", "Vargas", "Romero", "Herrera", "Mendoza",
    # Portuguese and Brazilian
    "Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Carvalho", "Almeida", "Ferreira",
    "Rocha",
    # French
    "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Bonnet", "Rousseau", "Fontaine",
    "Chevalier", "Mercier",
    # German, Dutch, Swiss
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann",
    "Schäfer", "Koch", "Richter", "de Vries", "van den Berg", "Jansen", "Bakker", "Visser",
    # Nordic and Finnish
    "Andersson", "Johansson", "Nilsson", "Larsen", "Hansen", "Jensen", "Nielsen", "Sørensen",
    "Lindqvist", "Halvorsen", "Virtanen", "Korhonen",
    # Italian and Greek
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Greco",
    "De Luca", "Papadopoulos", "Georgiou", "Nikolaidis",
    # Central and Eastern European
    "Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Lewandowski", "Ivanov", "Petrov", "Kuznetsov",
    "Popescu", "Horvat", "Novák", "Dvořák", "Kovačević", "Jovanović",
    # Turkish, Arabic, Persian, Hebrew
    "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "Haddad", "Khalil", "Nasser",
    "Mansour", "Al-Farsi", "Abdullah", "Saleh", "El-Amin", "Hosseini", "Rahimi", "Karimi",
    "Tehrani", "Cohen", "Levi", "Mizrahi", "Friedman", "Katz",
    # South Asian
    "Patel", "Sharma", "Singh", "Kumar", "Gupta", "Reddy", "Iyer", "Nair", "Menon", "Chatterjee",
    "Banerjee", "Desai", "Mehta", "Joshi", "Rao", "Pillai", "Kapoor", "Malhotra", "Khan",
    "Qureshi", "Chowdhury", "Rahman", "Hussain",
    # East and South-East Asian
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun",
    "Lin", "Guo", "Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto",
    "Nakamura", "Kobayashi", "Kim", "Park", "Choi", "Jung", "Kang", "Yoon", "Nguyễn", "Trần", "Lê",
    "Phạm", "Hoàng", "Srisai", "Wongsawat", "Reyes", "Cruz", "Bautista", "Dela Cruz", "Wijaya",
    "Susanto", "Hartono",
    # African
    "Okafor", "Adeyemi", "Okonkwo", "Mensah", "Boateng", "Asante", "Mwangi", "Otieno", "Kariuki",
    "Dlamini", "Nkosi", "Ndlovu", "Mokoena", "Moyo", "Tesfaye", "Bekele", "Haile", "Diallo",
    "Traoré", "Keita", "Banda", "Phiri",
    # Māori, Pacific, Hawaiian
    "Ngata", "Parata", "Tuilagi", "Kahananui",
)  # fmt: skip

# The first word of a company name: evocative, industry-neutral.
_COMPANY_LEAD_WORDS: Final[tuple[str, ...]] = (
    "Northwind", "Blue", "Summit", "Apex", "Cedar", "Harbor", "Iron", "Silver", "Quantum", "Bright",
    "Pioneer", "Atlas", "Beacon", "Cobalt", "Crimson", "Evergreen", "Falcon", "Granite", "Horizon",
    "Juniper", "Keystone", "Lumen", "Maple", "Nimbus", "Orion", "Pinnacle", "Quartz", "Redwood",
    "Sierra", "Tidal", "Vertex", "Willow", "Zenith", "Aurora", "Birch", "Cascade", "Delta", "Ember",
    "Fjord", "Glacier", "Helix", "Indigo", "Jade", "Kestrel", "Lark", "Meridian", "Nova", "Onyx",
    "Polar", "Raven", "Sable", "Terra", "Vanguard", "Wren", "Zephyr", "Alder", "Boreal", "Copper",
    "Driftwood", "Echo", "Fern", "Golden", "Highland", "Ivory", "Lakeside", "Marble", "Oakridge",
    "Prairie", "Stonebridge", "Sunrise", "Thunder", "Riverbend", "Saffron", "Tamarind", "Ironclad",
)  # fmt: skip

# The second word of a company name, each with the category it most suggests.
_COMPANY_TRADE_WORDS: Final[dict[str, str]] = {
    "Logistics": "Logistics", "Freight": "Logistics", "Supply": "Logistics",
    "Shipping": "Logistics", "Analytics": "Analytics", "Data": "Analytics",
    "Insights": "Analytics", "Metrics": "Analytics", "Labs": "Technology",
    "Systems": "Technology", "Software": "Software", "Cloud": "SaaS", "Works": "Manufacturing",
    "Health": "Health Care", "Care": "Health Care", "Bio": "Biotechnology",
    "Therapeutics": "Biotechnology", "Pharma": "Pharmaceuticals", "Capital": "Finance",
    "Finance": "Finance", "Pay": "Fintech", "Payments": "Fintech", "Ledger": "Fintech",
    "Insurance": "Insurance", "Robotics": "Hardware", "Devices": "Hardware",
    "Semiconductors": "Hardware", "Motors": "Automotive", "Mobility": "Transportation",
    "Energy": "Energy", "Solar": "Energy", "Power": "Energy", "Foods": "Food & Beverage",
    "Coffee": "Food & Beverage", "Brewing": "Food & Beverage", "Farms": "Agriculture",
    "Media": "Media", "Studios": "Entertainment", "Games": "Entertainment",
    "Publishing": "Media", "Partners": "Consulting", "Advisory": "Consulting",
    "Consulting": "Consulting", "Legal": "Legal", "Networks": "Telecommunications",
    "Telecom": "Telecommunications", "Security": "Security", "Shield": "Security",
    "Realty": "Real Estate", "Properties": "Real Estate", "Homes": "Real Estate",
    "Apparel": "Apparel & Accessories", "Textiles": "Manufacturing", "Outdoors": "Retail",
    "Goods": "Retail", "Market": "E-commerce", "Commerce": "E-commerce", "Learning": "Education",
    "Academy": "Education", "Travel": "Travel", "Hotels": "Hospitality", "Marine": "Transportation",
    "Aerospace": "Aerospace", "Design": "Design", "Marketing": "Marketing",
    "Ventures": "Venture Capital",
    "Dynamics": "Technology", "Industries": "Manufacturing", "Recruiting": "Recruiting",
    "People": "Human Resources", "Construction": "Construction",
}  # fmt: skip

COMPANY_NAME_WORDS: Final[tuple[str, ...]] = _COMPANY_LEAD_WORDS + tuple(_COMPANY_TRADE_WORDS)
"""Every word a generated company name is built from (lead words, then trade words)."""

_TRADE_WORDS: Final[tuple[str, ...]] = tuple(_COMPANY_TRADE_WORDS)
# What a firm named after its partners ("Okafor & Lindqvist") trades as.
_PARTNERSHIP_TRADES: Final[tuple[str, ...]] = ("Legal", "Advisory", "Partners", "Realty")

# Cross-cutting categories, one of which a company may get besides its trade category.
_BUSINESS_MODELS: Final[tuple[str, ...]] = (
    "B2B", "B2C", "SaaS", "Enterprise", "Marketplace", "Startup", "Non-profit",
)  # fmt: skip

COMPANY_CATEGORIES: Final[tuple[str, ...]] = tuple(
    sorted(set(_COMPANY_TRADE_WORDS.values()) | set(_BUSINESS_MODELS))
)
"""Option titles of ``companies.categories`` that generated companies use.

Attio never creates a select option on write (an unknown title is ``value_not_found``), so the
emulator must have every one of these options before the companies are written.
"""

_LEGAL_SUFFIXES: Final[tuple[str, ...]] = ("", "", "", "", "", " Inc.", " Ltd", " Group", " Co.")

# Weighted by repetition: most companies are on .com.
_TLDS: Final[tuple[str, ...]] = (
    "com", "com", "com", "com", "com", "com", "io", "io", "co", "ai", "dev", "app", "net",
    "co.uk", "de", "fr", "nl", "com.au", "ca",
)  # fmt: skip

_COMPANY_DESCRIPTION_VERBS: Final[tuple[str, ...]] = (
    "builds", "runs", "designs", "sells", "operates", "develops", "provides", "offers",
)  # fmt: skip
_COMPANY_DESCRIPTION_WHATS: Final[tuple[str, ...]] = (
    "software", "a platform", "hardware", "services", "tooling", "a marketplace", "infrastructure",
    "data products", "managed services", "consumer apps",
)  # fmt: skip
_COMPANY_DESCRIPTION_AUDIENCES: Final[tuple[str, ...]] = (
    "small businesses", "mid-market teams", "enterprises", "hospitals", "retailers", "developers",
    "finance teams", "logistics operators", "public-sector agencies", "families", "schools",
    "manufacturers", "creators", "sales teams", "farmers",
)  # fmt: skip
_COMPANY_DESCRIPTION_TAILS: Final[tuple[str, ...]] = (
    "", "", " Founded by two former consultants.", " Backed by a seed round in 2021.",
    " Profitable since its second year.", " Expanding into Europe.", " Recently acquired a rival.",
    " Fully remote team.", " Listed on a regional stock exchange.",
)  # fmt: skip

JOB_TITLES: Final[tuple[str, ...]] = (
    "Chief Executive Officer", "Chief Technology Officer", "Chief Financial Officer",
    "Chief Operating Officer", "Chief Revenue Officer", "Founder", "Co-founder",
    "VP of Sales", "VP of Engineering", "VP of Marketing", "Head of Partnerships",
    "Head of Customer Success", "Head of People", "Head of Product", "Head of Growth",
    "Engineering Manager", "Software Engineer", "Senior Software Engineer", "Staff Engineer",
    "Data Scientist", "Data Engineer", "Product Manager", "Product Designer", "UX Researcher",
    "Account Executive", "Sales Development Representative", "Account Manager",
    "Customer Success Manager", "Solutions Engineer", "Marketing Manager", "Content Strategist",
    "Operations Manager", "Finance Manager", "Controller", "Procurement Lead", "IT Director",
    "Security Engineer", "Legal Counsel", "Office Manager", "Recruiter", "Talent Partner",
    "Business Analyst", "Supply Chain Manager", "Warehouse Supervisor", "Clinical Director",
    "Research Scientist", "Project Manager", "Consultant", "Partner", "Board Member",
)  # fmt: skip

_PERSON_DESCRIPTIONS: Final[tuple[str, ...]] = (
    "Met at a trade show; interested in a pilot.",
    "Introduced by a mutual investor.",
    "Signed up for the newsletter last quarter.",
    "Evaluating vendors for next year's budget.",
    "Long-time customer champion.",
    "Prefers email over calls.",
    "Asked for a follow-up after the webinar.",
    "Former colleague of our account executive.",
    "Speaks at industry conferences.",
    "Decision maker for the regional team.",
    "Joined the beta programme early.",
    "",
)

DEAL_STAGES: Final[tuple[str, ...]] = ("Lead", "In Progress", "Won 🎉", "Lost")
"""Attio's default statuses of ``deals.stage``."""

_DEAL_OFFERINGS: Final[tuple[str, ...]] = (
    "Enterprise plan", "Annual renewal", "Pilot", "Seat expansion", "Platform migration",
    "Professional services", "Multi-year agreement", "Team plan", "Data add-on",
    "Support upgrade", "Proof of concept", "Regional rollout",
)  # fmt: skip

# Reserved for documentation (RFC 2606), so generated addresses can never reach a real inbox.
_PERSONAL_EMAIL_DOMAINS: Final[tuple[str, ...]] = ("example.com", "example.org", "example.net")


_T = TypeVar("_T")


class _Dice:
    """Uniform draws from one ``random.Random``, cheaper than ``choice``/``randrange`` in hot loops.

    ``int(random() * n)`` is the textbook trick: it gives up the last fraction of a bit of
    uniformity that ``randrange`` buys with rejection sampling, which seed data does not need, and
    costs a third as much.
    """

    __slots__ = ("random",)

    def __init__(self, rng: random.Random) -> None:
        self.random = rng.random

    def below(self, n: int) -> int:
        """A whole number from 0 to ``n - 1``."""
        return int(self.random() * n)

    def pick(self, items: Sequence[_T]) -> _T:
        """One element of ``items``, which must not be empty."""
        return items[int(self.random() * len(items))]


# --------------------------------------------------------------------------------------------
# Locations
# --------------------------------------------------------------------------------------------

# Street names per country, and whether the house number goes before the street ("1 Main Street")
# or after it ("Hauptstraße 1").
_STREETS: Final[dict[str, tuple[bool, tuple[str, ...]]]] = {
    "US": (True, ("Market Street", "Main Street", "Broadway", "Oak Avenue", "Mission Street")),
    "CA": (True, ("King Street West", "Yonge Street", "Granville Street", "Rue Sainte-Catherine")),
    "GB": (True, ("High Street", "Old Street", "Deansgate", "Corporation Street", "Mill Lane")),
    "IE": (True, ("Grafton Street", "Baggot Street", "Sir John Rogerson's Quay")),
    "AU": (True, ("George Street", "Collins Street", "Queen Street", "Hay Street")),
    "SG": (True, ("Robinson Road", "Cecil Street", "Orchard Road")),
    "IN": (True, ("MG Road", "Brigade Road", "Bandra Kurla Complex")),
    "NG": (True, ("Adeola Odeku Street", "Awolowo Road", "Admiralty Way")),
    "ZA": (True, ("Long Street", "Rivonia Road", "Bree Street")),
    "KE": (True, ("Ngong Road", "Waiyaki Way", "Kenyatta Avenue")),
    "FR": (True, ("rue de Rivoli", "avenue des Champs-Élysées", "rue de la République")),
    "DE": (False, ("Friedrichstraße", "Torstraße", "Maximilianstraße", "Hauptstraße")),
    "NL": (False, ("Herengracht", "Keizersgracht", "Coolsingel")),
    "ES": (False, ("Calle de Alcalá", "Carrer de Mallorca", "Gran Vía")),
    "SE": (False, ("Drottninggatan", "Kungsgatan", "Sveavägen")),
    "BR": (False, ("Avenida Paulista", "Rua Oscar Freire", "Avenida Atlântica")),
}  # fmt: skip

# (locality, region or None, country code, postcode template, latitude, longitude).
# In a postcode template "#" is a digit and "@" a letter allowed in the inward part of a UK code.
_CITIES: Final[tuple[tuple[str, str | None, str, str, float, float], ...]] = (
    ("San Francisco", "CA", "US", "941##", 37.7749, -122.4194),
    ("New York", "NY", "US", "100##", 40.7128, -74.0060),
    ("Austin", "TX", "US", "787##", 30.2672, -97.7431),
    ("Chicago", "IL", "US", "606##", 41.8781, -87.6298),
    ("Seattle", "WA", "US", "981##", 47.6062, -122.3321),
    ("Boston", "MA", "US", "021##", 42.3601, -71.0589),
    ("Denver", "CO", "US", "802##", 39.7392, -104.9903),
    ("Atlanta", "GA", "US", "303##", 33.7490, -84.3880),
    ("Toronto", "ON", "CA", "M5V #A#", 43.6532, -79.3832),
    ("Vancouver", "BC", "CA", "V6B #C#", 49.2827, -123.1207),
    ("London", None, "GB", "EC1V #@@", 51.5074, -0.1278),
    ("Manchester", None, "GB", "M1 #@@", 53.4808, -2.2426),
    ("Edinburgh", None, "GB", "EH1 #@@", 55.9533, -3.1883),
    ("Dublin", "Dublin", "IE", "D02 ##X#", 53.3498, -6.2603),
    ("Sydney", "NSW", "AU", "20##", -33.8688, 151.2093),
    ("Melbourne", "VIC", "AU", "30##", -37.8136, 144.9631),
    ("Singapore", None, "SG", "0####", 1.2806, 103.8500),
    ("Bengaluru", "Karnataka", "IN", "5600##", 12.9716, 77.5946),
    ("Mumbai", "Maharashtra", "IN", "4000##", 19.0760, 72.8777),
    ("Lagos", "Lagos", "NG", "1010##", 6.5244, 3.3792),
    ("Cape Town", "Western Cape", "ZA", "80##", -33.9249, 18.4241),
    ("Johannesburg", "Gauteng", "ZA", "21##", -26.2041, 28.0473),
    ("Nairobi", "Nairobi County", "KE", "00###", -1.2921, 36.8219),
    ("Paris", "Île-de-France", "FR", "750##", 48.8566, 2.3522),
    ("Lyon", "Auvergne-Rhône-Alpes", "FR", "6900#", 45.7640, 4.8357),
    ("Berlin", "Berlin", "DE", "101##", 52.5200, 13.4050),
    ("Munich", "Bavaria", "DE", "803##", 48.1351, 11.5820),
    ("Amsterdam", "North Holland", "NL", "101# AB", 52.3676, 4.9041),
    ("Madrid", "Madrid", "ES", "280##", 40.4168, -3.7038),
    ("Barcelona", "Catalonia", "ES", "080##", 41.3851, 2.1734),
    ("Stockholm", "Stockholm County", "SE", "111 ##", 59.3293, 18.0686),
    ("São Paulo", "SP", "BR", "01310-###", -23.5505, -46.6333),
)  # fmt: skip

_LINE_2_FORMS: Final[tuple[str, ...]] = ("Suite {}", "Floor {}", "Unit {}")

# Letters a UK postcode's inward part may use (no C, I, K, M, O or V).
_UK_INWARD_LETTERS: Final[str] = "ABDEFGHJLNPQRSTUWXYZ"


def _fill_postcode(template: str, dice: _Dice) -> str:
    chars = []
    for char in template:
        if char == "#":
            chars.append(str(dice.below(10)))
        elif char == "@":
            chars.append(dice.pick(_UK_INWARD_LETTERS))
        else:
            chars.append(char)
    return "".join(chars)


def _location(dice: _Dice) -> dict[str, str | None]:
    locality, region, country, postcode, lat, lon = dice.pick(_CITIES)
    number_first, streets = _STREETS[country]
    street = dice.pick(streets)
    number = 1 + dice.below(399)
    line_1 = f"{number} {street}" if number_first else f"{street} {number}"
    line_2 = dice.pick(_LINE_2_FORMS).format(1 + dice.below(39)) if dice.random() < 0.3 else None
    return {
        "line_1": line_1,
        "line_2": line_2,
        "line_3": None,
        "line_4": None,
        "locality": locality,
        "region": region,
        "postcode": _fill_postcode(postcode, dice),
        "country_code": country,
        # A few kilometres of jitter around the city centre; Attio reads these back as strings.
        "latitude": f"{lat + 0.06 * dice.random() - 0.03:.7f}",
        "longitude": f"{lon + 0.06 * dice.random() - 0.03:.7f}",
    }


# --------------------------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------------------------

# Ranges reserved for drama and documentation, so no generated number rings a real line:
# NANP 555-0100..0199 (any area code), Ofcom's drama ranges, ACMA's and ARCEP's fictional ranges.
# Each prefix is followed by two free digits; ACMA's fictional mobiles are single numbers.
_PHONE_PREFIXES: Final[tuple[str, ...]] = (
    # United States and Canada: +1 NPA 555-01xx
    *(
        f"+1{area}55501"
        for area in (
            "201", "202", "212", "213", "303", "305", "312", "404", "415", "503", "512", "617",
            "646", "702", "713", "206", "416", "514", "604", "613",
        )
    ),
    # United Kingdom: 020 7946 0xxx, 01x1 496 0xxx, 0191 498 0xxx, 028 9649 6xxx, 029 2018 0xxx
    "+4420794600", "+4420794609", "+4411349600", "+4411449600", "+4411649600",
    "+4411749600", "+4411849600", "+4412149600", "+4413149600", "+4414149600", "+4415149600",
    "+4416149600", "+4419149800", "+4428964960", "+4429201800",
    # Australia: 02 5550 xxxx, 03 7010 xxxx, 07 5550 xxxx, 08 7010 xxxx
    "+612555000", "+613701000", "+617555000", "+618701000",
    # France: 01 99 00 xx xx, 02 61 91 xx xx, 03 53 01 xx xx, 04 65 71 xx xx, 05 36 49 xx xx
    "+331990012", "+332619134", "+333530156", "+334657178", "+335364990",
)  # fmt: skip

_AU_FICTIONAL_MOBILES: Final[tuple[str, ...]] = (
    "+61491570006", "+61491570156", "+61491570157", "+61491570158", "+61491570159",
    "+61491570110", "+61491570313", "+61491570737", "+61491571266", "+61491571491",
    "+61491571804", "+61491572549", "+61491572665", "+61491572983", "+61491573770",
    "+61491573087", "+61491574118", "+61491574632", "+61491575254", "+61491575789",
)  # fmt: skip

PHONE_NUMBERS: Final[tuple[str, ...]] = (
    *(f"{prefix}{ending:02d}" for prefix in _PHONE_PREFIXES for ending in range(100)),
    *_AU_FICTIONAL_MOBILES,
)
"""Every E.164 number :func:`generate_people` may emit.

The numbers are not checked with ``phonenumbers`` at run time: that costs about 140 µs a number,
which alone would blow the time budget for 100,000 people, and it would make the output depend
on the installed metadata. Instead the test suite checks that every number here is valid.
"""


# --------------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------------

# Letters that Unicode decomposition leaves alone but an ASCII address needs spelt out.
_ASCII_SPELLINGS: Final[dict[int, str]] = str.maketrans(
    {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae", "ı": "i"}
)


def _slug(text: str, separator: str) -> str:
    """Lower-case ASCII form of ``text`` for e-mail local parts and domain labels.

    Accents are dropped (``Nguyễn`` -> ``nguyen``), apostrophes vanish (``O'Brien`` -> ``obrien``)
    and each run of other characters becomes one ``separator``.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_SPELLINGS))
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower().replace("'", "")
    words = "".join(c if c.isalnum() else " " for c in ascii_text).split()
    return separator.join(words)


# Computed once: slugging on every record would cost more than the rest of a person put together.
_FIRST_NAME_SLUGS: Final[tuple[str, ...]] = tuple(_slug(name, "-") for name in FIRST_NAMES)
_LAST_NAME_SLUGS: Final[tuple[str, ...]] = tuple(_slug(name, "-") for name in LAST_NAMES)
# Surnames as one domain label each, for firms named after their partners.
_LAST_NAME_LABELS: Final[tuple[str, ...]] = tuple(_slug(name, "") for name in LAST_NAMES)


def _check_count(n: int) -> None:
    if n < 0:
        raise ValueError(f"n must be zero or more, not {n}")


def _check_domains(company_domains: Sequence[str]) -> None:
    # A lone string is a Sequence[str] too, and would quietly give one-letter "domains".
    if isinstance(company_domains, str):
        raise TypeError("company_domains must be a sequence of domains, not a single string")


def _company_label(domain: str) -> str:
    """A display name from a domain: ``northwind-logistics.com`` -> ``Northwind Logistics``."""
    return domain.split(".", 1)[0].replace("-", " ").title()


# --------------------------------------------------------------------------------------------
# Generators
# --------------------------------------------------------------------------------------------


def generate_companies(n: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """Yield ``n`` company write payloads (the ``values`` of a create-record body).

    Each has ``name`` (text), ``domains`` (one or two plain domain strings, every domain unique
    across the ``n``), ``description``, ``categories`` (titles from :data:`COMPANY_CATEGORIES`),
    ``primary_location`` (the ten-key location object) and ``linkedin`` (a URL). The same
    ``n`` and ``seed`` always give the same companies.

    Raises:
        ValueError: ``n`` is negative.
    """
    _check_count(n)
    return _companies(n, seed)


def _companies(n: int, seed: int) -> Iterator[dict[str, Any]]:
    dice = _Dice(random.Random(f"attio-bridge/companies/{seed}"))
    below, pick = dice.below, dice.pick
    seen: set[str] = set()
    # Suffixes for domains whose natural forms are all taken. Natural slugs have no digits, so a
    # numbered slug can never equal one, and each number is used once.
    spare = itertools.count(2)
    n_last = len(LAST_NAMES)

    for _ in range(n):
        for _attempt in range(8):
            if below(5) == 0:
                # A firm named after its partners, like a law or accounting practice; "& Smith"
                # needs a surname other than the first one.
                i = below(n_last)
                j = (i + 1 + below(n_last - 1)) % n_last
                base = f"{LAST_NAMES[i]} & {LAST_NAMES[j]}"
                slug = f"{_LAST_NAME_LABELS[i]}-{_LAST_NAME_LABELS[j]}"
                trade = pick(_PARTNERSHIP_TRADES)
            else:
                lead, trade = pick(_COMPANY_LEAD_WORDS), pick(_TRADE_WORDS)
                base = f"{lead} {trade}"
                slug = f"{lead}-{trade}".lower() if below(3) else f"{lead}{trade}".lower()
            domain = f"{slug}.{pick(_TLDS)}"
            if domain not in seen:
                break
        else:
            slug = f"{slug}-{next(spare)}"
            domain = f"{slug}.{pick(_TLDS)}"
        seen.add(domain)
        domains = [domain]
        if below(6) == 0:
            # A second domain on another TLD, as companies with a country site or a short link have.
            extra = f"{slug}.{pick(_TLDS)}"
            if extra not in seen:
                seen.add(extra)
                domains.append(extra)

        name = base + pick(_LEGAL_SUFFIXES)
        categories = [_COMPANY_TRADE_WORDS[trade]]
        if below(2):
            model = pick(_BUSINESS_MODELS)
            if model not in categories:
                categories.append(model)
        description = (
            f"{name} {pick(_COMPANY_DESCRIPTION_VERBS)} {pick(_COMPANY_DESCRIPTION_WHATS)} "
            f"for {pick(_COMPANY_DESCRIPTION_AUDIENCES)}.{pick(_COMPANY_DESCRIPTION_TAILS)}"
        )
        yield {
            "name": name,
            "domains": domains,
            "description": description,
            "categories": categories,
            "primary_location": _location(dice),
            "linkedin": f"https://www.linkedin.com/company/{slug}",
        }


def generate_people(
    n: int, seed: int = 0, company_domains: Sequence[str] = ()
) -> Iterator[dict[str, Any]]:
    """Yield ``n`` person write payloads (the ``values`` of a create-record body).

    Each has ``name`` (``{first_name, last_name, full_name}``), ``email_addresses`` (one address,
    unique across the ``n``), ``job_title``, ``phone_numbers`` (one valid E.164 number from a
    fictional range, see :data:`PHONE_NUMBERS`) and ``description``.

    When ``company_domains`` is given, about 85% of people work at one of them: their address is
    at that domain and ``company`` is the domain as a plain string, the form Attio accepts for a
    reference to a company. Everyone else gets an address at an RFC 2606 example domain and no
    ``company``. The same arguments always give the same people.

    Raises:
        ValueError: ``n`` is negative.
        TypeError: ``company_domains`` is a single string.
    """
    _check_count(n)
    _check_domains(company_domains)
    return _people(n, seed, tuple(company_domains))


def _people(n: int, seed: int, company_domains: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    dice = _Dice(random.Random(f"attio-bridge/people/{seed}"))
    below, pick = dice.below, dice.pick
    seen: set[str] = set()
    # Five digits and up, so these never meet the four-digit random suffixes below.
    spare = itertools.count(10_000)
    n_first, n_last = len(FIRST_NAMES), len(LAST_NAMES)
    labels: dict[str, str] = {}

    for _ in range(n):
        f, last = below(n_first), below(n_last)
        first_name, last_name = FIRST_NAMES[f], LAST_NAMES[last]
        local = f"{_FIRST_NAME_SLUGS[f]}.{_LAST_NAME_SLUGS[last]}"
        job_title = pick(JOB_TITLES)

        company = pick(company_domains) if company_domains and below(100) < 85 else None
        if company is not None:
            # Work addresses are usually plain first.last; a number only breaks a tie.
            email = f"{local}@{company}"
            if email in seen:
                email = f"{local}.{1000 + below(9000)}@{company}"
            label = labels.get(company)
            if label is None:
                label = labels[company] = _company_label(company)
            note = f"{job_title} at {label}."
        else:
            email = f"{local}.{1000 + below(9000)}@{pick(_PERSONAL_EMAIL_DOMAINS)}"
            note = f"{job_title}."
        if email in seen:
            email = f"{local}.{next(spare)}@{email.rpartition('@')[2]}"
        seen.add(email)

        extra = pick(_PERSON_DESCRIPTIONS)
        values: dict[str, Any] = {
            "name": {
                "first_name": first_name,
                "last_name": last_name,
                "full_name": f"{first_name} {last_name}",
            },
            "email_addresses": [email],
            "job_title": job_title,
            "phone_numbers": [pick(PHONE_NUMBERS)],
            "description": f"{note} {extra}" if extra else note,
        }
        if company is not None:
            values["company"] = company
        yield values


def generate_deals(
    n: int,
    seed: int = 0,
    company_domains: Sequence[str] = (),
    stages: Sequence[str] = DEAL_STAGES,
) -> Iterator[dict[str, Any]]:
    """Yield ``n`` deal write payloads (the ``values`` of a create-record body).

    Each has ``name``, ``stage`` (a title from ``stages``, by default Attio's default deal
    statuses) and ``value`` (a whole-currency amount; the currency comes from the attribute).
    When ``company_domains`` is given, every deal has ``associated_company`` set to one of them as
    a plain domain string. ``owner`` is required by Attio but left out: it must name a workspace
    member, which the caller knows and this module does not. The same arguments always give the
    same deals.

    Raises:
        ValueError: ``n`` is negative or ``stages`` is empty.
        TypeError: ``company_domains`` or ``stages`` is a single string.
    """
    _check_count(n)
    _check_domains(company_domains)
    if isinstance(stages, str):
        raise TypeError("stages must be a sequence of status titles, not a single string")
    if not stages:
        raise ValueError("stages must name at least one status")
    return _deals(n, seed, tuple(company_domains), tuple(stages))


def _deals(
    n: int, seed: int, company_domains: tuple[str, ...], stages: tuple[str, ...]
) -> Iterator[dict[str, Any]]:
    rng = random.Random(f"attio-bridge/deals/{seed}")
    dice = _Dice(rng)
    pick = dice.pick
    for _ in range(n):
        offering = pick(_DEAL_OFFERINGS)
        domain = pick(company_domains) if company_domains else None
        if domain is not None:
            buyer = _company_label(domain)
        else:
            buyer = f"{pick(_COMPANY_LEAD_WORDS)} {pick(_TRADE_WORDS)}"
        values: dict[str, Any] = {
            "name": f"{buyer} – {offering}",
            "stage": pick(stages),
            # Deal sizes are roughly log-normal (median near 13,000), rounded as a seller quotes.
            "value": max(500, int(round(rng.lognormvariate(9.5, 1.1), -2))),
        }
        if domain is not None:
            values["associated_company"] = domain
        yield values
