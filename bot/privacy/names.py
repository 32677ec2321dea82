"""People's names in free text, replaced with ``[NAME]``.

A word is taken for a name when:

- a cue says so: a title ("Mrs Pickering", "PC Dawson"), a naming phrase
  ("called", "named", "known as", "goes by", "her name is"), a family or role
  word ("stepdad Gary", "mum is shannon", "social worker is Amarjit Sandhu", "nan
  (maureen)"), or an age after it ("leanne (19)", "Riley-Jo O'Connor, 15,");
- or it is a first name from Faker's lists (:mod:`bot.privacy.word_lists`) that
  is not also an everyday word ("kayden", "Brooke"); one that is both ("Amber",
  "Mason") counts only when capitalised in mid-sentence, followed by a verb
  ("Amber is 14") or followed by a surname; an everyday word ("hope", "will",
  "Summer holidays") needs a cue.

Capitalised words after a name are its surname ("Jaxon Wilde"). Places ("down
to Lincoln", "East Marsh"), months, streets ("Victoria St") and organisations
are left alone. A word found to be a name is a name wherever else it appears in
the message.

The text is read once as a list of words (bounded in length), and each word
looks at most at a few words around it: linear in the length of the text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from bot.privacy.everyday_names import BOTH, SURNAME_WORDS, WORDS
from bot.privacy.patterns import word_set as _words
from bot.privacy.word_lists import english_words, first_names, last_names

TOKEN = re.compile(r"[^\W\d_]{1,40}(?:['’\-][^\W\d_]{1,40}){0,3}")
CLITIC = re.compile(r"['’](?:s|ll|re|ve|d|m|t)$", re.IGNORECASE)
PLACEHOLDERS = _words("NAME PHONE EMAIL POSTCODE ADDRESS DATE NHS NINO SOCIAL VEHICLE")

FAMILY = _words(
    """mum mums mam mom mother mummy mommy dad dads father daddy stepdad stepmum stepfather
    stepmother step-dad step-mum nan nana nanna nanny gran granny grandma grandmother grandad
    granddad grandpa grandfather grandparent grandson granddaughter grandchild brother bro
    sister sis sibling siblings brothers sisters half-brother half-sister stepbrother
    stepsister cousin cousins aunt auntie aunty uncle niece nephew son daughter baby babies
    twin twins boyfriend girlfriend bf gf partner husband wife fiance fiancee ex carer
    carers foster guardian godmother godfather"""
)
# Role words that may stand just before a name, in lower case: "a lad Jay".
ROLES = _words(
    """girl boy lad lass child kid yp male female bloke worker sw teacher officer nurse
    manager mentor coach friend mate pal bestie neighbour neighbor student pupil tenant
    lodger landlord landlady driver"""
)
# Role words that name someone only with "is" after them: "the young person is ...".
LINKED_ROLES = _words(
    "man woman person kids children siblings boys girls lads brothers sisters twins"
)
TITLES = _words("mr mrs ms mx dr prof cllr rev")
EXACT_TITLES = _words("PC DC DS DI DCI DCS DSU PCSO Sgt Insp Supt Cllr Miss Sister")
NAMING = _words("called named nicknamed aka dubbed christened surname forename firstname")
NAMING_PAIRS = frozenset(
    {
        ("known", "as"), ("goes", "by"), ("go", "by"), ("going", "by"), ("name", "is"),
        ("name", "was"), ("names", "are"), ("calls", "himself"), ("calls", "herself"),
        ("calls", "themselves"), ("real", "name"), ("first", "name"), ("full", "name"),
        ("last", "name"), ("nick", "name"), ("nickname", "is"), ("they", "call"),
        ("call", "him"), ("call", "her"), ("calls", "him"), ("calls", "her"),
        ("called", "him"), ("called", "her"), ("call", "them"), ("calls", "them"),
    }
)  # fmt: skip
LINKS = _words("is was are were called named")
CONTACT_VERBS = _words("met visited saw rang phoned emailed texted messaged told asked")
CONTACT_PAIRS = frozenset(
    {("spoke", "to"), ("spoke", "with"), ("spoken", "to"), ("talked", "to"), ("met", "with"),
     ("seen", "with"), ("seen", "by"), ("spoke", "w"), ("chat", "with"), ("worried", "about")}
)  # fmt: skip
FAMILY_GROUPS = _words("family household kids children boys girls brothers sisters twins siblings")
PRONOUNS = _words("he she they him her them someone somebody who")
# Words after which even an unlisted lower-case word may be a name.
CUES_BEFORE = TITLES | NAMING | frozenset(second for _, second in NAMING_PAIRS)
VERBS = _words(
    """is was has had says said told tells keeps kept goes went lives lived stays stayed
    wants wanted needs does did doesnt didnt wont cant hasnt isnt wasnt disclosed reported"""
)
MONTHS_AND_DAYS = _words(
    """january february march april may june july august september october november
    december monday tuesday wednesday thursday friday saturday sunday jan feb mar apr jun
    jul aug sep sept oct nov dec mon tue tues wed weds thu thur thurs fri sat sun"""
)
COMPASS = _words("north south east west upper lower great little new old central")
# Words before a name that make it a place's: "East Marsh", "St James' school".
PLACE_PREFIXES = COMPASS | _words("st saint mount port fort lake")
# Listed first names that are mostly other proper nouns: names only after a cue.
NOT_PEOPLE = _words(
    """royal queen king prince princess saint santa christ messiah genesis delta french
    german danish english irish easter sunday marvel atlas phoenix canyon admiral captain
    bishop elder shepherd merry major general judge doctor lady"""
)
# Words never taken for a name, whatever the cue.
NEVER = (
    FAMILY
    | ROLES
    | TITLES
    | COMPASS
    | _words(
        """unknown unnamed infant tbc tba christmas xmas easter halloween eid diwali
        ramadan hanukkah advent lent god jesus christ allah"""
    )
)
PERSON_WORDS = FAMILY | ROLES | LINKED_ROLES | PRONOUNS | _words("guy guys men women males")
FUNCTION_WORDS = _words(
    """a an the and or but nor so yet of to in on at for from with by up down over into onto
    off out about after before since until till than then there here this that these those
    it its he she they we you i me him her us them his hers their theirs our ours your my
    mine who whom whose what which when where why how is was are were be been being am do
    does did done doing have has had having will would shall should can could may might must
    not no yes never always also just still now today tonight tomorrow yesterday very really
    too more most much many few some any all every each other another same such own only
    said says say told tells tell rang rings ring called calls call went goes go gone came
    comes come got gets get getting saw seen see sees think thinks thought know knows knew
    want wants wanted asked asks ask lives lived live stays stayed stay left leaves leave
    hit hits took takes take gave gives give made makes make is isnt wasnt dont doesnt didnt
    cant wont hes shes theyre im ive ok okay thanks thank please hi hello sorry re via per
    as if because though although while whilst again back home away around near next last
    first second new old older younger young little big good bad well"""
)
# Capitalised words that follow a name in places and organisations: "Victoria St",
# "Grace Academy", "Humberside Police", "Clare's Law".
PLACE_WORDS = _words(
    """street st road rd avenue ave lane ln close way court place walk row square parade green
    rise view hill park approach drive gardens grove crescent terrace mews vale chase gate
    estate police council school academy college university centre center hospital station
    church chapel primary secondary infants juniors nursery surgery practice clinic trust
    services service team hub house hall club shopping retail ward unit foundation project
    group ltd limited fc football youth help door front together act board panel forum
    network care health community homes home village town city county borough marsh park
    quay dock docks sands beach market north south east west upper lower great little new
    old saint st cross law operation programme scheme protocol"""
)
# Places that are also first names: names only after a cue ("her name is Chelsea").
NAMED_PLACES = _words(
    """london lincoln chester preston boston kent devon chelsea sydney paris dallas austin
    phoenix florence georgia victoria brooklyn denver orlando houston dakota india china
    derby york"""
)
# The area's towns and other places a message may name: never names.
PLACES = _words(
    """grimsby cleethorpes immingham healing humberston waltham scartho laceby habrough keelby
    stallingborough scunthorpe hull sheffield leeds doncaster louth brigg barton nottingham
    bradford manchester liverpool birmingham newcastle lincolnshire humberside yorkshire
    england britain scotland wales ireland"""
)
ORGANISATIONS = _words(
    """childline police barnardos barnardo's nspcc samaritans kooth crimestoppers fearless
    catch22 camhs tesco asda aldi lidl morrisons sainsburys mcdonalds kfc greggs"""
)
AGE_AFTER = re.compile(
    r"[ \t]{0,2}\([ \t]{0,2}\d{1,2}[ \t]{0,2}(?:[a-z/]{1,7}[ \t]{0,2})?\)"
    r"|,[ \t]{0,2}\d{1,2}[ \t]{0,2}(?:yo|y/o|yrs|years old)?[ \t]{0,2},",
    re.IGNORECASE,
)
BOUNDARY_AFTER = re.compile(
    r"[ \t]{0,2}(?:$|[,.;:!?)(\-]|(?:and|who|is|was|has|had|says|said|aged)(?![\w]))",
    re.IGNORECASE,
)
TIGHT_GAP = re.compile(r"[ \t]{0,3}[(,:\-\"'“‘]?[ \t]{0,3}")
SPACE_GAP = re.compile(r"[ \t]{1,3}")
POSSESSIVE_GAP = re.compile(r"(?:['’]s)?[ \t]{1,3}")
LIST_GAP = re.compile(r"[ \t]{0,2}[,&][ \t]{0,2}")
SENTENCE_BREAK = re.compile(r"[.!?\n:;]")
# Name prefixes that make new names of old ones: "ty" + "reece", "de" + "shawn".
NAME_PREFIXES = ("tay", "ty", "jay", "kay", "ka", "de", "sha", "tre", "ky")

TWO_LETTER_NAMES = _words("jo al ed ty bo di mo")

PURE, SHARED, WORD = 3, 2, 1  # how surely a listed name is a name, unaided


class Token(NamedTuple):
    start: int
    end: int  # end of the name itself (a clitic such as "'s" stays outside)
    text: str
    lower: str
    parts: tuple[str, ...]  # of a hyphenated or apostrophised word: "kai-leigh"
    shape: str  # "lower", "cap", "upper"
    initial: bool  # first word of a sentence


def _tokens(text: str) -> list[Token]:
    tokens: list[Token] = []
    previous_end = 0
    for match in TOKEN.finditer(text):
        word = match.group(0)
        start = match.start()
        parts: tuple[str, ...] = ()
        if "'" in word or "’" in word or "-" in word:
            clitic = CLITIC.search(word)
            if clitic and not re.search("['’]", word[: clitic.start()]):
                word = word[: clitic.start()]
            parts = tuple(part for part in re.split(r"['’\-]", word.lower()) if part)
        initial = not tokens or bool(SENTENCE_BREAK.search(text, previous_end, start))
        if word.isupper() and len(word) > 1:
            shape = "upper"
        elif word[0].isupper() or not word.islower():
            shape = "cap"
        else:
            shape = "lower"
        tokens.append(Token(start, start + len(word), word, word.lower(), parts, shape, initial))
        previous_end = match.end()
    return tokens


@lru_cache(maxsize=8192)
def _sureness(word: str) -> int:
    """How surely a single lower-case word is a first name: PURE, SHARED, WORD or 0."""
    if word in TWO_LETTER_NAMES:
        return WORD  # "worker is jo", "called Ty"
    if word in NEVER or len(word) < 3:
        return 0
    if word in MONTHS_AND_DAYS or word in NOT_PEOPLE:
        return WORD
    if word not in first_names():
        if word in english_words():  # not "decade" for "de" + "cade"
            return 0
        stem = word[:-1]
        if word.endswith("s") and _sureness(stem) == PURE and stem not in english_words():
            return PURE  # "kaydens mum"; not "a pair of jordans"
        for prefix in NAME_PREFIXES:
            rest = word[len(prefix) :]
            if word.startswith(prefix) and len(rest) >= 4 and _sureness(rest) == PURE:
                return PURE  # "tyreece"
        return 0
    if word in WORDS:
        return WORD
    if word in BOTH:
        return SHARED
    return PURE


def sureness(token: Token) -> int:
    if token.lower in NEVER:
        return 0
    best = _sureness(token.lower)
    if len(token.parts) > 1 and all(len(part) > 1 for part in token.parts):  # not "X-ray"
        best = max([best, *(_sureness(part) for part in token.parts)])
    return best


class _Reader:
    """Which tokens of one text are names."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = [t for t in _tokens(text) if not self._placeholder(t)]
        words = [t for t in self.tokens if len(t.text) > 1]
        capitals = sum(1 for t in words if t.shape != "lower")
        uppers = sum(1 for t in words if t.shape == "upper")
        # Title Case or SHOUTING: capitals then say nothing about names.
        self.cases_tell = not (len(words) >= 4 and capitals >= 0.7 * len(words))
        self.shouting = len(words) >= 3 and uppers >= 0.7 * len(words)
        self.names: set[int] = set()

    def _placeholder(self, token: Token) -> bool:
        return (
            token.text in PLACEHOLDERS
            and self.text[token.start - 1 : token.start] == "["
            and self.text[token.end : token.end + 1] == "]"
        )

    def gap(self, i: int) -> str:
        """The text between token ``i - 1`` and token ``i``."""
        start = self.tokens[i - 1].end if i > 0 else 0
        return self.text[start : self.tokens[i].start]

    def linked(self, i: int, pattern: re.Pattern[str] = TIGHT_GAP) -> bool:
        return 0 < i < len(self.tokens) and bool(pattern.fullmatch(self.gap(i)))

    def word(self, i: int) -> str:
        return self.tokens[i].lower if 0 <= i < len(self.tokens) else ""

    def capitalised(self, token: Token) -> bool:
        """Capitalised where capitals mean something."""
        if self.shouting:
            return token.shape == "upper"
        return token.shape == "cap" and self.cases_tell and not token.initial

    def plain_word(self, token: Token) -> bool:
        """A word that cannot be a name even after a cue."""
        lower = token.lower
        return (
            lower in FUNCTION_WORDS or lower in NEVER or lower in ORGANISATIONS or lower in PLACES
        )

    def name_like(self, token: Token) -> bool:
        """Capitalised (anywhere) and not a plain word, place word or month."""
        if token.shape == "lower" or (token.shape == "upper" and not self.shouting):
            return False
        lower = token.lower
        return not (self.plain_word(token) or lower in PLACE_WORDS or lower in MONTHS_AND_DAYS)

    def glued_to_digits(self, token: Token) -> bool:
        """Part of a code such as "Y10" or "kd09"."""
        before = self.text[token.start - 1 : token.start]
        return before.isdigit() or self.text[token.end : token.end + 1].isdigit()

    def unknown_word(self, token: Token) -> bool:
        """No English word: a name or nickname when a cue says so."""
        return len(token.text) >= 3 and not self.known_word(token)

    def known_word(self, token: Token) -> bool:
        """An English word (or all of whose parts are) and no listed first name."""
        parts = token.parts or (token.lower,)
        return sureness(token) < SHARED and any(part in english_words() for part in parts)

    def after_initial(self, i: int) -> bool:
        """ "J. Smith", "J Smith": a capitalised word after an initial."""
        if i == 0 or not self.cases_tell or not re.fullmatch(r"\.?[ \t]{1,2}", self.gap(i)):
            return False
        initial = self.tokens[i - 1].text
        return (
            len(initial) == 1
            and initial.isupper()
            and initial not in "AI"
            and self.name_like(self.tokens[i])
            and not self.glued_to_digits(self.tokens[i - 1])
        )

    def spoken_to(self, i: int) -> bool:
        """An unlisted capitalised word that is no English word, after "spoke to",
        "met" and the like, or before another such word ("Zainab Hussain")."""
        token = self.tokens[i]
        if not self.capitalised(token) or self.plain_word(token) or self.known_word(token):
            return False
        if token.lower in PLACE_WORDS or token.lower in NAMED_PLACES:
            return False
        one, two = self.word(i - 1), self.word(i - 2)
        if self.linked(i, SPACE_GAP) and (one in CONTACT_VERBS or (two, one) in CONTACT_PAIRS):
            return True
        following = self.tokens[i + 1] if self.linked(i + 1, SPACE_GAP) else None
        return (
            following is not None
            and self.capitalised(following)
            and not self.plain_word(following)
            and not self.known_word(following)
            and following.lower not in PLACE_WORDS
        )

    def family_name(self, i: int) -> bool:
        """ "the Pryce family", "the Smith kids"; not "the Polish family"."""
        token = self.tokens[i]
        return (
            self.word(i - 1) == "the"
            and self.word(i + 1) in FAMILY_GROUPS
            and self.linked(i, SPACE_GAP)
            and self.linked(i + 1, SPACE_GAP)
            and self.name_like(token)
            and (token.lower in last_names() or not self.known_word(token))
        )

    # ------------------------------------------------------------ cues

    def after_title(self, i: int) -> bool:
        if i == 0 or not re.fullmatch(r"\.?[ \t]{1,2}", self.gap(i)):
            return False
        title = self.tokens[i - 1]
        token = self.tokens[i]
        if title.text in EXACT_TITLES:
            return token.shape != "lower" and not self.plain_word(token)
        return title.lower in TITLES and not self.plain_word(token)

    def after_naming(self, i: int) -> str:
        """ "person" after "goes by", "her name is", "a lad called"; "thing" after a
        "called" or "known as" that may name a thing ("the process known as
        Cuckooing", "called Operation Encompass"); else ""."""
        if not self.linked(i):
            return ""
        one, two = self.word(i - 1), self.word(i - 2)
        if one in NAMING:
            used = 1
        elif (two, one) in NAMING_PAIRS and self.linked(i - 1):
            used = 2
        else:
            return ""
        if (one if used == 1 else two) not in ("called", "known"):
            return "person"
        before = {self.word(i - used - k) for k in (1, 2, 3)}  # "the older male is called"
        return "person" if before & PERSON_WORDS else "thing"

    def after_family(self, i: int) -> str:
        """ "bare" after "stepdad", "linked" after "mum is", else ""."""
        if not self.linked(i):
            return ""
        one = self.word(i - 1)
        if one in FAMILY or (one in ROLES and self.tokens[i - 1].shape == "lower"):
            return "bare"  # "stepdad Gary", "lad Jay"; not "Child Criminal Exploitation"
        if one in LINKS and self.linked(i - 1, SPACE_GAP):
            two = self.word(i - 2)
            if two in FAMILY or two in ROLES or two in LINKED_ROLES:
                return "linked"
        return ""

    def age_after(self, i: int) -> bool:
        return bool(AGE_AFTER.match(self.text, self.tokens[i].end))

    def acts(self, i: int) -> bool:
        """A verb follows: "Amber is 14", "Mia's been missing"."""
        token = self.tokens[i]
        if self.text[token.end : token.end + 2] in ("'s", "’s"):
            return True
        return self.word(i + 1) in VERBS and self.linked(i + 1, SPACE_GAP)

    def boundary_after(self, i: int) -> bool:
        return bool(BOUNDARY_AFTER.match(self.text, self.tokens[i].end))

    def names_a_place(self, i: int) -> bool:
        """Token ``i`` begins the name of a street, place or body: "Victoria St",
        "Grace Academy", "Clare's Law"."""
        if not self.linked(i + 1, POSSESSIVE_GAP):
            return False
        following = self.tokens[i + 1]
        return following.shape != "lower" and following.lower in PLACE_WORDS

    # ------------------------------------------------------------ decisions

    def cued(self, i: int) -> bool:
        """A name because something around it says so."""
        token = self.tokens[i]
        if token.lower in NEVER or len(token.text) < 2 or self.glued_to_digits(token):
            return False
        if self.after_title(i):
            return True
        sure = sureness(token)
        naming = self.after_naming(i)
        if naming:  # "goes by Smudge", "called ashton", "a lad called zayn"
            if self.plain_word(token):
                return False
            if self.name_like(token):
                if not self.known_word(token):
                    return True
                # A word as a nickname ("a lad called Ghost"), but not the first word
                # of a body's name ("the nurse called Early Help").
                following = self.tokens[i + 1] if self.linked(i + 1, SPACE_GAP) else None
                return naming == "person" and not (following and following.shape != "lower")
            return sure > 0 or self.unknown_word(token)
        if self.after_initial(i) or self.family_name(i) or self.spoken_to(i):
            return True
        family = self.after_family(i)
        if family:
            if self.names_a_place(i):
                return False
            if sure >= SHARED:
                return True
            if self.name_like(token):  # "stepdad Gary"; "mum is Shannon", not "mum is Irish"
                listed = sure > 0 and token.lower not in NOT_PEOPLE
                return family == "bare" or listed or not self.known_word(token)
            # "her sister summer", but not "her dad will pick her up"
            return sure == WORD and self.boundary_after(i) and not self.plain_word(token)
        if self.age_after(i):
            return self.name_like(token) or sure > 0
        return False

    def listed(self, i: int) -> bool:
        """A name from the list alone."""
        token = self.tokens[i]
        sure = sureness(token)
        if sure < SHARED or self.plain_word(token) or self.glued_to_digits(token):
            return False
        if token.shape == "upper" and not self.shouting:
            return False  # an acronym
        if token.lower in NAMED_PLACES:
            return False  # "down to Lincoln", "a London station"
        previous = self.tokens[i - 1] if i > 0 else None
        if previous is not None and previous.lower in PLACE_PREFIXES and self.linked(i, SPACE_GAP):
            return False  # "East Marsh", "New Waltham", "St James"
        if self.names_a_place(i):
            return False
        if sure == PURE:
            return True
        # SHARED: "Amber" mid-sentence, "Amber is 14", "Ruby Ashworth"; not "rose",
        # "Rose to 5" or "New Year's Eve".
        if previous is not None and self.capitalised(previous) and self.linked(i, POSSESSIVE_GAP):
            return False
        if self.capitalised(token) or (token.shape == "cap" and self.acts(i)):
            return True
        following = self.tokens[i + 1] if self.linked(i + 1, SPACE_GAP) else None
        return (
            token.shape != "lower"
            and self.cases_tell
            and following is not None
            and self.name_like(following)
            and sureness(following) < SHARED
        )

    def forename(self, i: int) -> bool:
        """Token ``i``, a listed first name however common a word, comes just
        before a name found ("Jack Thompson", where "Thompson" is the surer)."""
        token = self.tokens[i]
        return (
            token.shape != "lower"
            and self.linked(i + 1, SPACE_GAP)
            and sureness(token) >= WORD
            and not self.plain_word(token)
            and token.lower not in MONTHS_AND_DAYS
        )

    def surname(self, i: int) -> bool:
        """Token ``i`` continues the name before it ("Jaxon Wilde", "kayden smith")."""
        if not self.linked(i, SPACE_GAP):
            return False
        token = self.tokens[i]
        if token.shape != "lower":
            return self.name_like(token)
        return (
            token.lower in last_names()
            and token.lower not in SURNAME_WORDS
            and not self.plain_word(token)
            and sureness(token) != WORD
        )

    def listed_after(self, j: int) -> int | None:
        """The token after ``j`` that continues a list of names ("Lil T and Bugsy",
        "Lil T, Bugsy"), or None."""
        if self.word(j) in ("and", "or") and self.linked(j, SPACE_GAP):
            after, gap = j + 1, SPACE_GAP
        elif self.linked(j, LIST_GAP):
            after, gap = j, LIST_GAP
        else:
            return None
        if self.linked(after, gap) and self.name_like(self.tokens[after]):
            return after
        return None

    def read(self) -> set[int]:
        count = len(self.tokens)
        i = 0
        while i < count:
            token = self.tokens[i]
            if (  # the common case, quickly: a plain lower-case word after no title
                token.shape == "lower"
                and not self.shouting
                and sureness(token) == 0
                and self.word(i - 1) not in CUES_BEFORE
            ):
                i += 1
                continue
            cued = self.cued(i)
            if not (cued or self.listed(i)):
                i += 1
                continue
            self.names.add(i)
            if i > 0 and i - 1 not in self.names and self.forename(i - 1):
                self.names.add(i - 1)
            if i > 0 and self.after_initial(i):
                self.names.add(i - 1)
            j = i + 1
            while j - i <= 2 and self.surname(j):
                self.names.add(j)
                j += 1
            while cued and (after := self.listed_after(j)) is not None:
                self.names.add(after)
                j = after + 1
            i = j
        # The same word elsewhere in the message is the same name ("Deezy this, Deezy that").
        found = {self.tokens[i].lower for i in self.names}
        self.names.update(i for i, t in enumerate(self.tokens) if t.lower in found)
        return self.names


MERGE_NAMES = re.compile(r"\[NAME\](?:[ \t]{1,2}\[NAME\])+")


def redact_names(text: str) -> tuple[str, int]:
    reader = _Reader(text)
    found = sorted(reader.read())
    if not found:
        return text, 0
    out: list[str] = []
    done = 0
    for index in found:
        token = reader.tokens[index]
        out.append(text[done : token.start] + "[NAME]")
        done = token.end
    out.append(text[done:])
    return MERGE_NAMES.sub("[NAME]", "".join(out)), len(found)
