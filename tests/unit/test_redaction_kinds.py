"""Each kind of identifier the redaction used to let through whole (issue 16),
redacted now; and the words it must leave alone. Invented values only: Ofcom
drama phone numbers, NHS numbers in the 999 test range, example.com addresses.
"""

from __future__ import annotations

import pytest

from bot.privacy.evaluation import survives
from bot.privacy.redaction import looks_identifying, redact

MISSED_BEFORE = {
    "NAME": [
        ("a lad called ashton keeps going missing", "ashton"),
        ("her name is hope and she's 13", "hope"),
        ("the boys known as Lil T and Bugsy run the line", "Bugsy"),
        ("he goes by Smudge on the estate", "Smudge"),
        ("worried about kayden, he's out till 2am", "kayden"),
        ("Brooke told her teacher on Monday", "Brooke"),
        ("YP says her stepdad Gary hits her", "Gary"),
        ("mum is shannon and she's at the end of her tether", "shannon"),
        ("baby amelia, mum leanne (19), dad not known", "leanne"),
        ("nan (maureen) looks after them", "maureen"),
        ("her sister summer was there too", "summer"),
        ("spoke to mrs pickering, head of year 10", "pickering"),
        ("Spoke with PC Dawson about the missing episode", "Dawson"),
        ("Referral for Jaxon Wilde, concerns re CCE", "Jaxon Wilde"),
        ("the social worker is Amarjit Sandhu", "Amarjit Sandhu"),
        ("Riley-Jo O'Connor, 15, goes missing every weekend", "Riley-Jo O'Connor"),
        ("Ka\u200byden's mum rang the school", "Ka\u200byden"),
        ("kaydens mum rang the school", "kaydens"),
        ("a letter from J. Okafor at the school", "Okafor"),
        ("the Pryce family are known to police", "Pryce"),
        ("I spoke to Zainab and her mum", "Zainab"),
        ("a lad called zayn is involved", "zayn"),
        ("Ruby Ashworth and her brother", "Ruby Ashworth"),
    ],
    "PHONE": [
        ("ring 07700.900.654 when you get there", "07700.900.654"),
        ("mum's new number is 07700_900_111", "07700_900_111"),
        ("his number is 00447700900789", "00447700900789"),
        ("dad wrote 0 7 7 0 0 9 0 0 5 5 5 on the form", "0 7 7 0 0 9 0 0 5 5 5"),
        ("07700 9\u200b00444 keeps calling her", "07700 9\u200b00444"),
    ],
    "NHS": [
        ("nhs number 999 628 19 49 from the red book", "999 628 19 49"),
        ("NHS no 999.186.0916 for the baby", "999.186.0916"),
        ("nhs 99903 08241 on the letter", "99903 08241"),
        ("nhs 999 390\u200b 9963", "999 390\u200b 9963"),
    ],
    "DATE": [
        ("dob 12-Mar-2010, in year 9", "12-Mar-2010"),
        ("born 2010/03/12 in Scunthorpe", "2010/03/12"),
        ("dob 12032010", "12032010"),
        ("her birthday is 12 March so she'll be 16", "12 March"),
        ("born 17 / 05 / 2010", "17 / 05 / 2010"),
        ("dob 12/03/\u200b2010", "12/03/\u200b2010"),
    ],
    "ADDRESS": [
        ("lives with nan at 14 oak tree close", "14 oak tree close"),
        ("moved to 22 Station Approach last week", "22 Station Approach"),
        ("mum is at 63 Fenby Cresent now", "63 Fenby Cresent"),
        ("nan's house is Rosedene, Quilter Lane", "Rosedene, Quilter Lane"),
        ("19\u200b Larkspur Road is where they hang out", "19\u200b Larkspur Road"),
    ],
    "POSTCODE": [
        ("postcode DN32-7QP", "DN32-7QP"),
        ("home is dn 31 2hx", "dn 31 2hx"),
        ("Moved to DN31 1\u200cLW last month", "DN31 1\u200cLW"),
    ],
    "EMAIL": [
        ("email jay dot smith at example dot com", "jay dot smith at example dot com"),
        ("contact jay[at]example.com for attendance", "jay[at]example.com"),
        ("lil_demi (at) example (dot) org was her sign-up", "lil_demi (at) example (dot) org"),
        ("cc shaz.w at example.net please", "shaz.w at example.net"),
        ("I've emailed jay\u200b@example.com", "jay\u200b@example.com"),
    ],
    "SOCIAL": [
        ("his snap is @kaydz_x0", "@kaydz_x0"),
        ("instagram.com/lil.demi.x is the account", "instagram.com/lil.demi.x"),
        ("https://www.tiktok.com/@bradz.2k9 has the video", "https://www.tiktok.com/@bradz.2k9"),
        ("his snap is kd.savage09, he has 3 accounts", "kd.savage09"),
        ("Snapchat @\u200bnoahhh.x added her", "@\u200bnoahhh.x"),
    ],
    "VEHICLE": [
        ("black golf reg YR68 TFV outside school", "YR68 TFV"),
        ("vehicle fn17owz seen at the flats", "fn17owz"),
        ("a van sn71-pzt was there too", "sn71-pzt"),
        ("got into a car reg P452 KHD", "P452 KHD"),
        ("FY66\u200d WPL every night", "FY66\u200d WPL"),
    ],
    "NINO": [
        ("QQ.55.66.77.B is on his payslip", "QQ.55.66.77.B"),
        ("the letter has QQ 1\u200b23457 A on it", "QQ 1\u200b23457 A"),
    ],
}


@pytest.mark.parametrize(
    ("kind", "text", "identifier"),
    [
        (kind, text, identifier)
        for kind, cases in MISSED_BEFORE.items()
        for text, identifier in cases
    ],
)
def test_identifier_is_redacted(kind: str, text: str, identifier: str) -> None:
    result = redact(text)
    assert not survives(identifier, kind, result.text), result.text
    assert f"[{kind}]" in result.text and kind in result.kinds, result


# The guidance's own terms, places, organisations and everyday words that are
# also first names: none of them is an identifier.
LEFT_ALONE = [
    "if he's in immediate danger do I just call 999",
    "where does this sit on the NEL Thresholds of Harm 2024/28",
    "what is the 45 day reflection period",
    "does the Modern Slavery Act 2015 defence apply",
    "he's in year 9 and carrying two phones",
    "Integrated Front Door said it doesnt meet threshold",
    "Will do. Ill chase Humberside Police for the PPN tomorrow",
    "seen in Grimsby, Cleethorpes, Immingham and Healing",
    "mum thinks he's on county lines down to Lincoln",
    "found at a London station at 1am",
    "Hope this makes sense, typing between visits",
    "Summer holidays are always worse for him",
    "Rose to 5 missing episodes this month",
    "Grace period for the rent arrears ends Friday",
    "had a frank conversation with mum about the drinking",
    "incident outside Tesco on Victoria St",
    "a 12 yo carrying a bag for older lads on the East Marsh",
    "he said 'im 16 in june' but school has him as Y10",
    "Section 20 was agreed, placement till at least Easter",
    "Child Criminal Exploitation and Child Sexual Exploitation",
    "the lad is known as a runner",
    "she's called the police twice",
    "her dad will pick her up",
    "the older lads let him kip at their flat",
    "3 hours down the road from home",
    "police found him in a flat 60 miles away",
    "Dad's mobile is off, no reg for the car yet",
    "she was reported missing at 22:45 and returned at 06:10",
    "reference 1234567890 on the form",
    "Dad is Irish and mum is Romanian",
    "the school nurse called Early Help",
    "what is the process known as Cuckooing",
    "does Operation Encompass apply here",
    "he bought a pair of Jordans and went out for decades",
    "the Polish family next door are worried",
    "his snap is private",
    "the family group: \U0001f468\u200d\U0001f469\u200d\U0001f467",
]


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_plain_text_is_left_alone(text: str) -> None:
    result = redact(text)
    assert (result.text, result.kinds) == (text, ())


def test_nhs_numbers_need_their_check_digit_or_the_word_nhs() -> None:
    assert redact("9995260182 was on the form").text == "[NHS] was on the form"
    assert redact("9995260183 was on the form").text == "9995260183 was on the form"
    assert redact("NHS number 999 526 0183").text == "NHS number [NHS]"


def test_zero_width_characters_are_removed_from_what_is_kept() -> None:
    assert redact("what is cuckoo\u200bing").text == "what is cuckooing"
    assert redact("dob 2\u200b8/02/2013").text == "dob [DATE]"


def test_a_name_alone_makes_a_message_identifying() -> None:
    assert looks_identifying("worried about kayden")
    assert not looks_identifying("worried about the lad")
