"""Identifiers with a written shape: e-mail addresses, social media handles and
links, National Insurance numbers, postcodes, vehicle registrations, dates and
street addresses.

Each ``redact_*`` function takes a text and returns it with its identifiers of
one kind replaced by a placeholder, and how many it replaced. Every pattern is
linear in the length of the text: each may start only where a token starts (a
look-behind), and every repetition is bounded, so no position costs more than a
fixed amount of work however long, spaceless or repetitive the input. A match
that turns out not to be an identifier (a checksum or a calendar check fails) is
given back unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.privacy.word_lists import english_words

Replacer = Callable[[re.Match[str]], str]


def word_set(words: str) -> frozenset[str]:
    """The words of a space-separated list."""
    return frozenset(words.split())


def subn_counted(
    pattern: re.Pattern[str], text: str, replace: Replacer, kind: str
) -> tuple[str, int]:
    """``pattern.subn`` with ``replace``, counting only the matches it redacted."""
    count = 0
    placeholder = f"[{kind}]"

    def counted(match: re.Match[str]) -> str:
        nonlocal count
        result = replace(match)
        if placeholder in result:
            count += 1
        return result

    return pattern.subn(counted, text)[0], count


def _whole(kind: str) -> Replacer:
    return lambda match: f"[{kind}]"


# ---------------------------------------------------------------- e-mail addresses

# Top-level domains accepted when the address is spelt out ("jay at example dot
# com"), where any word could otherwise stand in for a domain.
TLDS = (
    "com|org|net|uk|co|gov|edu|ac|sch|nhs|police|mod|io|info|biz|eu|ie|us|ca|au|nz|de|fr|"
    "es|it|nl|pl|ro|lt|in|pk|app|dev|xyz|online|site|email|live|icloud|me|tv"
)
_OPEN, _CLOSE = r"[\[({<]", r"[\])}>]"
_AT = (
    rf"(?:[ \t]{{0,3}}@[ \t]{{0,3}}"
    rf"|[ \t]{{0,3}}{_OPEN}[ \t]{{0,2}}at[ \t]{{0,2}}{_CLOSE}[ \t]{{0,3}}"
    r"|[ \t]{1,3}at[ \t]{1,3})"
)
_DOT_WORD = (
    rf"(?:[ \t]{{0,3}}{_OPEN}[ \t]{{0,2}}dot[ \t]{{0,2}}{_CLOSE}[ \t]{{0,3}}"
    r"|[ \t]{1,3}dot[ \t]{1,3})"
)
_DOT = rf"(?:[ \t]{{0,2}}\.[ \t]{{0,2}}|{_DOT_WORD})"
_LABEL = r"[a-z0-9][a-z0-9-]{0,62}"
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
SPELT_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w+-][\w.+-]{{0,63}}(?:{_DOT_WORD}[\w+-][\w.+-]{{0,63}}){{0,3}}"
    rf"{_AT}{_LABEL}(?:{_DOT}{_LABEL}){{0,3}}{_DOT}(?:{TLDS})(?![\w-])",
    re.IGNORECASE,
)


def redact_emails(text: str) -> tuple[str, int]:
    plain = 0
    if "@" in text:
        text, plain = subn_counted(EMAIL, text, _whole("EMAIL"), "EMAIL")
    text, spelt = subn_counted(SPELT_EMAIL, text, _whole("EMAIL"), "EMAIL")
    return text, plain + spelt


# ---------------------------------------------------------------- social media

SOCIAL_SITES = (
    r"instagram\.com|instagr\.am|tiktok\.com|facebook\.com|fb\.com|fb\.me|m\.me|"
    r"snapchat\.com|twitter\.com|x\.com|youtube\.com|youtu\.be|threads\.net|threads\.com|"
    r"linkedin\.com|t\.me|telegram\.me|wa\.me|onlyfans\.com|reddit\.com|twitch\.tv|"
    r"discord\.gg|discord\.com|pinterest\.com|tumblr\.com|kik\.me|soundcloud\.com|"
    r"bsky\.app|linktr\.ee"
)
SOCIAL_LINK = re.compile(
    rf"(?<![\w.@/-])(?:https?://)?(?:[a-z0-9-]{{1,20}}\.)?(?:{SOCIAL_SITES})/"
    r"[^\s<>\"]{0,199}[^\s<>\".,;:!?)'\]]",
    re.IGNORECASE,
)
HANDLE = re.compile(r"(?<![\w@.+-])@[A-Za-z0-9_][A-Za-z0-9_.]{0,29}")
TIME_LIKE = re.compile(r"\d{1,2}(?:[.:]\d{2})?(?:am|pm)?|\d+", re.IGNORECASE)
# "his snap is kd.savage09": a handle after the name of a site, without its "@".
SITE_WORDS = (
    r"snap(?:chat)?|sc|insta(?:gram)?|ig|tik[ \t]?tok|twitter|fb|facebook|telegram|kik|"
    r"discord|psn|xbox|gamertag|user[ \t]?name|handle|account|profile"
)
CUED_HANDLE = re.compile(
    rf"(?<![\w])(?:{SITE_WORDS})(?:[ \t]{{1,2}}(?:name|id|handle|account|username))?"
    r"(?:[ \t]{0,2}([=:\-])[ \t]{0,2}|[ \t]{1,2}(?:(is|was|called|as)[ \t]{1,2})?)"
    r"([A-Za-z0-9_][A-Za-z0-9_.]{1,29})",
    re.IGNORECASE,
)


def _handle(match: re.Match[str]) -> str:
    handle = match.group(0).rstrip(".")
    if TIME_LIKE.fullmatch(handle[1:]):
        return match.group(0)
    return "[SOCIAL]" + match.group(0)[len(handle) :]


def _cued_handle(match: re.Match[str]) -> str:
    """A handle has a dot, digit or underscore in it ("kd.savage09"), or follows
    "is" or ":" and is no English word ("his snap is lilxo", not "is private")."""
    handle = match.group(3).rstrip(".")
    if not re.search("[A-Za-z]", handle):
        return match.group(0)
    marked = re.search(r"[._\d]", handle)
    spelt = (
        (match.group(1) or match.group(2))
        and len(handle) >= 3
        and handle.lower() not in english_words()
    )
    if not (marked or (spelt and handle.lower() not in SHORT_WORDS | FUNCTION_WORDS)):
        return match.group(0)
    start = match.start(3) - match.start(0)
    whole = match.group(0)
    return whole[:start] + "[SOCIAL]" + whole[start + len(handle) :]


FUNCTION_WORDS = word_set(
    "the and but for not you she her his him they them its our your who what when where why how "
    "yes just now new old all any one two off out got has had was are can now too very really"
)


def redact_social_links(text: str) -> tuple[str, int]:
    return subn_counted(SOCIAL_LINK, text, _whole("SOCIAL"), "SOCIAL")


def redact_social_handles(text: str) -> tuple[str, int]:
    handles = 0
    if "@" in text:
        text, handles = subn_counted(HANDLE, text, _handle, "SOCIAL")
    text, cued = subn_counted(CUED_HANDLE, text, _cued_handle, "SOCIAL")
    return text, handles + cued


# ---------------------------------------------------------------- National Insurance

_SEP = r"[ \t.\-]{0,2}"
NINO = re.compile(
    rf"(?<![\w])([A-Z]{{2}}){_SEP}\d(?:{_SEP}\d){{5}}(?:{_SEP}([A-D]))?(?![\w])", re.IGNORECASE
)
SHORT_WORDS = word_set(
    "am an as at be by do go he hi if in is it me my no of ok on or so to up us we ya yo"
)


def _nino(match: re.Match[str]) -> str:
    prefix, suffix = match.group(1), match.group(2)
    if suffix is None and (prefix.islower() and prefix in SHORT_WORDS):
        return match.group(0)
    return "[NINO]"


def redact_ninos(text: str) -> tuple[str, int]:
    return subn_counted(NINO, text, _nino, "NINO")


# ---------------------------------------------------------------- postcodes

# The UK's postcode areas: matching only these keeps "is 14 3rd" from passing for one.
POSTCODE_AREAS = word_set(
    "AB AL BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY "
    "EC EH EN EX FK FY GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY LA LD LE LL "
    "LN LS LU ME MK ML NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM SA SE SG SK SL SM SN "
    "SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB WA WC WD WF WN WR WS WV YO ZE B E G L M N S W"
)
POSTCODE = re.compile(
    r"(?<![\w])([A-Z]{1,2})[ \t]?\d[A-Z\d]?[ \t_]{0,3}-?[ \t_]{0,3}(\d[ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Za-z\d])",
    re.IGNORECASE,
)
ORDINAL = re.compile(r"1st|2nd|3rd|[04-9]th", re.IGNORECASE)


def _postcode(match: re.Match[str]) -> str:
    area, inward = match.group(1), match.group(2)
    if area.upper() not in POSTCODE_AREAS:
        return match.group(0)
    if not inward.isupper() and ORDINAL.fullmatch(inward):  # "me 2 3rd", not "B33 8TH"
        return match.group(0)
    return "[POSTCODE]"


def redact_postcodes(text: str) -> tuple[str, int]:
    return subn_counted(POSTCODE, text, _postcode, "POSTCODE")


# ---------------------------------------------------------------- vehicle registrations

PLATE_CURRENT = re.compile(
    r"(?<![\w])([A-Z]{2})([ \t\-]{0,2})(\d{2})([ \t\-]{0,2})([A-Z]{3})(?![\w])", re.IGNORECASE
)
PLATE_PREFIX = re.compile(
    r"(?<![\w])([A-Z])(\d{1,3})([ \t\-]{0,2})([A-Z]{3})(?![\w])", re.IGNORECASE
)
PLATE_SUFFIX = re.compile(
    r"(?<![\w])([A-Z]{3})([ \t\-]{0,2})(\d{1,3})([A-Z])(?![\w])", re.IGNORECASE
)
VEHICLE_CUE = re.compile(
    r"\b(?:reg|regs|registration|plate|plates|car|cars|van|vehicle|taxi|cab|motor|bike|moped|"
    r"transit|merc|mercedes|bmw|audi|golf|corsa|astra|focus|fiesta|polo|clio|range rover|"
    r"drives|driving|driver|drove|parked)\b",
    re.IGNORECASE,
)
THREE_LETTER_WORDS = word_set(
    "all and any are ago bed big bus but can car day did dog eat end far few for fun get got "
    "had has her him his hot how its job let lot man may men new not now off old one our out "
    "own put ran red run sat saw say see set she six sun ten the too top two use was way who "
    "why yes yet you jan feb mar apr jun jul aug sep oct nov dec mon tue wed thu fri sat sun "
    "hrs yrs wks pm am"
)
CURRENT_AREA_LETTERS = set("ABCDEFGHKLMNOPRSVWY")


def _plate_fits(area: str, letters: str, compact: bool, cue: bool) -> bool:
    """Upper-case or run together, a plate is taken as it is. Typed in lower case
    with spaces, it must not read as words ("on 12 may", "is 16 and"), and unless
    a word such as "reg" or "car" is in the message, neither half may be a word."""
    if (area + letters).isupper() or compact:
        return True
    area, letters = area.lower(), letters.lower()
    if area in SHORT_WORDS or letters in THREE_LETTER_WORDS:
        return False
    return cue or (area not in english_words() and letters not in english_words())


def redact_vehicles(text: str) -> tuple[str, int]:
    cue = bool(VEHICLE_CUE.search(text))

    def current(match: re.Match[str]) -> str:
        area, sep1, age, sep2, letters = match.groups()
        age_id = int(age)
        if area[0].upper() not in CURRENT_AREA_LETTERS or not (2 <= age_id <= 29 or age_id >= 51):
            return match.group(0)
        if re.search("[IQiq]", letters):
            return match.group(0)
        compact = not sep1 and not sep2
        return "[VEHICLE]" if _plate_fits(area, letters, compact, cue) else match.group(0)

    # Plates of before 2001, in capitals only ("P452 KHD", "ABC 123D"); "Y10" is a school year.
    def prefix(match: re.Match[str]) -> str:
        year, number, _sep, letters = match.groups()
        if not (year + letters).isupper() or year in "IOQUZ" or re.search("[IQ]", letters):
            return match.group(0)
        return match.group(0) if year == "Y" and int(number) <= 13 else "[VEHICLE]"

    def suffix(match: re.Match[str]) -> str:
        letters, _sep, _number, year = match.groups()
        return "[VEHICLE]" if (letters + year).isupper() else match.group(0)

    total = 0
    for pattern, replace in ((PLATE_CURRENT, current), (PLATE_PREFIX, prefix),
                             (PLATE_SUFFIX, suffix)):  # fmt: skip
        text, count = subn_counted(pattern, text, replace, "VEHICLE")
        total += count
    return text, total


# ---------------------------------------------------------------- dates

MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])"
)
_ORD = r"(?:st|nd|rd|th)?"
DATE_NUMERIC = re.compile(
    r"(?<![\w/.\-])(\d{1,2})[ \t]{0,2}([/.\-])[ \t]{0,2}(\d{1,2})[ \t]{0,2}\2[ \t]{0,2}"
    r"(\d{4}|\d{2})(?![\w/\-]|\.\d)"
)
DATE_ISO = re.compile(
    r"(?<![\w/.\-])((?:19|20)\d{2})[ \t]{0,2}([/.\-])[ \t]{0,2}(\d{1,2})[ \t]{0,2}\2[ \t]{0,2}"
    r"(\d{1,2})(?![\w/]|[.\-]\d)"
)
DATE_DAY_MONTH_YEAR = re.compile(
    rf"(?<![\w])(\d{{1,2}}){_ORD}(?:[ \t]{{1,3}}of)?[ \t\-/.,]{{0,3}}{MONTHS}\.?[ \t\-/.,]{{0,3}}"
    r"(?:\d{4}|'?\d{2})(?![\w])",
    re.IGNORECASE,
)
DATE_MONTH_DAY_YEAR = re.compile(
    rf"(?<![\w]){MONTHS}\.?[ \t]{{0,3}}(\d{{1,2}}){_ORD},?[ \t]{{0,3}}\d{{4}}(?![\w])",
    re.IGNORECASE,
)
DATE_COMPACT = re.compile(r"(?<![\w.\-/])(\d{8})(?![\w.\-/])")
# A birthday without its year ("birthday is 4th june") or a six-figure date of
# birth is redacted only after a word that says it is one.
DOB_CUE = (
    r"(?<![\w])(?:born|dob|d\.o\.b\.?|date[ \t]of[ \t]birth|birth[ \t]?date|birthday|bday|"
    r"b'day|b-day)(?:['’]s)?(?![\w])[ \t:,\-]{0,3}(?:(?:is|was|on|in|the|of|=)[ \t]{1,2}){0,3}"
)
DATE_AFTER_CUE = re.compile(
    DOB_CUE + rf"((?:\d{{1,2}}{_ORD}(?:[ \t]{{1,2}}of)?[ \t\-/.]{{1,3}}{MONTHS})"
    rf"|(?:{MONTHS}\.?[ \t]{{1,3}}\d{{1,2}}{_ORD}(?![\w]))"
    rf"|(?:{MONTHS}\.?[ \t]{{1,3}}(?:\d{{4}}|'\d{{2}})(?![\w]))"
    r"|(?:\d{1,2}[/.\-]\d{1,2}(?![\w/.\-]))|(?:\d{6}(?![\w]))"
    r"|(?:\d{1,2}[ \t]{1,2}\d{1,2}[ \t]{1,2}(?:\d{4}|\d{2})(?![\w])))",
    re.IGNORECASE,
)


def _day_month(first: int, second: int) -> bool:
    """Either order (UK or US) makes a day and a month."""
    return (1 <= first <= 31 and 1 <= second <= 12) or (1 <= first <= 12 and 1 <= second <= 31)


def _numeric(match: re.Match[str]) -> str:
    day, month = int(match.group(1)), int(match.group(3))
    return "[DATE]" if _day_month(day, month) else match.group(0)


def _iso(match: re.Match[str]) -> str:
    month, day = int(match.group(3)), int(match.group(4))
    return "[DATE]" if 1 <= month <= 12 and 1 <= day <= 31 else match.group(0)


def _spelt(match: re.Match[str]) -> str:
    return "[DATE]" if 1 <= int(match.group(1)) <= 31 else match.group(0)


def _compact(match: re.Match[str]) -> str:
    digits = match.group(1)
    day, month, year = int(digits[:2]), int(digits[2:4]), int(digits[4:])
    if 1 <= day <= 31 and 1 <= month <= 12 and 1900 <= year <= 2099:
        return "[DATE]"
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:])
    if 1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31:
        return "[DATE]"
    return match.group(0)


def _after_cue(match: re.Match[str]) -> str:
    start = match.start(1) - match.start(0)
    return match.group(0)[:start] + "[DATE]"


def redact_dates(text: str) -> tuple[str, int]:
    total = 0
    for pattern, replace in ((DATE_NUMERIC, _numeric), (DATE_ISO, _iso),
                             (DATE_DAY_MONTH_YEAR, _spelt), (DATE_MONTH_DAY_YEAR, _spelt),
                             (DATE_COMPACT, _compact), (DATE_AFTER_CUE, _after_cue)):  # fmt: skip
        text, count = subn_counted(pattern, text, replace, "DATE")
        total += count
    return text, total


# ---------------------------------------------------------------- street addresses

# Street types that are rarely anything else, in any case.
STREET_TYPES = (
    "street|st|road|rd|avenue|ave|lane|ln|crescent|cres|cresent|crescant|terrace|terr|tce|"
    "mews|gardens|gdns|grove|boulevard|drive|dr|croft|wynd|garth|esplanade|promenade"
)
# Street types that are also ordinary words ("close friends", "3 days way"): in
# lower case they need an address nearby in the message or a preposition before
# the number ("at 14 oak tree close").
PLAIN_WORD_TYPES = (
    "close|way|court|ct|place|pl|walk|row|square|sq|parade|green|rise|view|hill|park|approach|"
    "vale|chase|gate|wharf|quay|fold|mount|heights|meadows|meadow|fields|field|end|side|bank|"
    "drove|lea|nook|paddock|dale|crest|cottages|villas|yard|circus|common|hall"
)
ADDRESS_NUMBERED = re.compile(
    r"(?<![\w/.,:£$\-])(\d{1,4}[a-z]?)(?![\w])(,?[ \t]{1,3})"
    r"((?:[a-z][a-z'’\-]{0,30}[ \t]{1,3}){1,3})"
    rf"({STREET_TYPES}|{PLAIN_WORD_TYPES})(?![\w'’\-])",
    re.IGNORECASE,
)
PLAIN_WORD_TYPE = re.compile(rf"(?:{PLAIN_WORD_TYPES})", re.IGNORECASE)
ADDRESS_CUE = re.compile(
    r"\b(?:address|addresses|addr|lives|living|live|staying|stays|stay|moved|house|flat|home|"
    r"postcode|linked)\b|\[(?:ADDRESS|POSTCODE)\]",
    re.IGNORECASE,
)
LOCATION_BEFORE = re.compile(
    r"(?:\b(?:at|to|from|on|in|near|outside|opposite|behind|of|is|address|addr)[ \t:,]{1,3}"
    r"|[,;:(\-][ \t]{0,3})$",
    re.IGNORECASE,
)
# Words that are not part of a street's name: "3 hours down the road", "2 lads drive".
NOT_STREET_WORDS = word_set(
    """a an the and or but of to in on at for from with by up down over into onto off out
    is was are were be been being am his her their my our your its this that these those
    some any all no not very really so too more most much many few other others same
    different new old older younger big little times time hours hrs hour mins minutes days
    day weeks week wks months month years year yrs yr yo miles mile metres yards kids
    children child boys boys girls girl lads lad men man males male people phones phone
    cars car times he she they we you it them him me us who what when where which while
    just also only then than went go going goes gone came come comes coming walked walk
    got get gets getting had has have having said says saying told tells did does done
    police officers officer staff friends friend family mum mums dad dads nan brother
    sister brothers sisters cousin cousins way"""
)


def _numbered_address(text: str) -> Replacer:
    cue = bool(ADDRESS_CUE.search(text))

    def replace(match: re.Match[str]) -> str:
        words = match.group(3).split()
        street_type = match.group(4)
        capitalised = all(word[0].isupper() for word in words) and street_type[0].isupper()
        before = match.string[max(0, match.start() - 12) : match.start()]
        located = (
            cue or (match.start() <= 12 and not before.strip()) or LOCATION_BEFORE.search(before)
        )
        if words == ["The"] if capitalised else (words == ["the"] and located):
            return "[ADDRESS]"  # "27 The Green", "lives at 10a the crescent"
        if any(word.lower().strip("'’") in NOT_STREET_WORDS for word in words):
            return match.group(0)
        if capitalised or not PLAIN_WORD_TYPE.fullmatch(street_type):
            return "[ADDRESS]"
        if located:
            return "[ADDRESS]"
        return match.group(0)

    return replace


# "flat 3, ", "Apt 14, Riverside House, ": the part of an address before its number.
BUILDING_TYPES = (
    "House|Court|Lodge|Tower|Towers|Building|Buildings|Mansions|Heights|Point|Block|Hall|Flats|"
    "Apartments|Chambers|Place|Cottage|Cottages|Farm|Villa"
)
UNITS = (
    r"miles?|mins?|minutes?|hours?|hrs?|days?|weeks?|wks?|months?|years?|yrs?|times?|metres?|"
    r"meters?|m|km|yards?|feet|ft|foot|pounds?|quid|mg|g|kg|people|lads|kids|doors|floors"
)
ADDRESS_FLAT = re.compile(
    r"(?<![\w])(?:flat|apt|apartment|unit)\.?[ \t]{0,2}\d{1,4}[a-z]?(?![\w.])"
    rf"(?![ \t]{{1,2}}(?:{UNITS})(?![\w]))"
    rf"(?:,?[ \t]{{1,3}}(?:[A-Z][a-z'’]{{1,20}}[ \t]){{1,3}}(?:{BUILDING_TYPES})(?![\w]))?,?",
    re.IGNORECASE,
)
# "Rosedene, Quilter Lane", "Willow Cottage, Barnetby Lane": a named house.
CAPITALISED_TYPES = "|".join(
    word.capitalize() for word in f"{STREET_TYPES}|{PLAIN_WORD_TYPES}".split("|")
)
ADDRESS_NAMED = re.compile(
    r"(?<![\w])((?:[A-Z][a-z'’]{1,20}[ \t]){0,2}[A-Z][a-z'’]{1,20}),[ \t]{1,3}"
    rf"(?:[A-Z][a-z'’\-]{{1,20}}[ \t]{{1,3}}){{1,3}}(?:{CAPITALISED_TYPES})(?![\w'’\-])"
)
MERGE_ADDRESSES = re.compile(r"\[ADDRESS\](?:[ \t,]{0,4}\[ADDRESS\])+")


def redact_addresses(text: str, places: frozenset[str] = frozenset()) -> tuple[str, int]:
    """``places``: lower-case town names, which a named house is not."""
    text, flats = subn_counted(ADDRESS_FLAT, text, _whole("ADDRESS"), "ADDRESS")
    text, numbered = subn_counted(ADDRESS_NUMBERED, text, _numbered_address(text), "ADDRESS")

    def named(match: re.Match[str]) -> str:
        house = match.group(1)
        if house.lower() in places or house.lower() in NOT_STREET_WORDS:
            return match.group(0)
        return "[ADDRESS]"

    text, houses = subn_counted(ADDRESS_NAMED, text, named, "ADDRESS")
    if flats + numbered + houses:
        text = MERGE_ADDRESSES.sub("[ADDRESS]", text)
    return text, flats + numbered + houses
