"""The attribute extractors read the stock legal phrasings, and never fail on odd text.

Every example sentence here is written for these tests, not copied from a real agreement.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tosanalyzer.analysis.nlp.attributes import (
    country_tokens,
    extract,
    extract_countries,
    extract_effective_date,
    extract_governing_law,
    extract_money,
    extract_notice_days,
    extract_period,
    extract_venue,
)
from tosanalyzer.analysis.nlp.pipeline import build_pipeline
from tosanalyzer.models import AttributeName, Attributes, Money, Period

# --- money ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("Our liability is capped at $50.", 50.0, "USD"),
        ("a fee of $1,000.00 applies", 1000.0, "USD"),
        ("up to US$100 in total", 100.0, "USD"),
        ("up to USD 100 in total", 100.0, "USD"),
        ("up to 100 USD in total", 100.0, "USD"),
        ("a refund of €50", 50.0, "EUR"),
        ("a refund of EUR 50", 50.0, "EUR"),
        ("a charge of £20", 20.0, "GBP"),
        ("a charge of GBP 20", 20.0, "GBP"),
        ("no more than ¥10,000", 10000.0, "JPY"),
        ("no more than JPY 10000", 10000.0, "JPY"),
        ("limited to fifty U.S. dollars", 50.0, "USD"),
        ("limited to twenty-five euros", 25.0, "EUR"),
        ("limited to 10 pounds sterling", 10.0, "GBP"),
        ("limited to C$20", 20.0, "CAD"),
        ("limited to ten Canadian dollars", 10.0, "CAD"),
        ("insurance of $5 million", 5_000_000.0, "USD"),
        ("The cap is **$50** per claim.", 50.0, "USD"),
    ],
)
def test_money_reads_amount_and_currency(text: str, amount: float, currency: str) -> None:
    amounts, rule = extract_money(text)
    assert [(m.amount, m.currency) for m in amounts] == [(amount, currency)]
    assert rule is None


def test_money_keeps_the_words_it_read_without_markdown() -> None:
    amounts, _ = extract_money("The cap is **$50** per claim.")
    assert amounts == [Money(amount=50.0, currency="USD", text="$50")]


@pytest.mark.parametrize(
    ("text", "restated"),
    [
        ("we owe you at most one hundred dollars ($100).", "one hundred dollars ($100)"),
        ("we owe you at most $100 (one hundred dollars).", "$100 (one hundred dollars)"),
        ("AT MOST ONE HUNDRED U.S. DOLLARS (US$100.00).", "ONE HUNDRED U.S. DOLLARS (US$100.00)"),
        ("at most one thousand dollars (us $1,000.00)", "one thousand dollars (us $1,000.00)"),
    ],
)
def test_money_in_words_restated_in_figures_is_one_amount(text: str, restated: str) -> None:
    amounts, _ = extract_money(text)
    assert len(amounts) == 1
    assert amounts[0].text == restated
    assert amounts[0].currency == "USD"


def test_different_amounts_in_brackets_stay_separate() -> None:
    amounts, _ = extract_money("a fee of $10 ($5 of which is refundable)")
    assert [m.amount for m in amounts] == [10.0, 5.0]


def test_money_greater_of() -> None:
    text = (
        "Our total liability will not exceed the greater of (a) the amount you paid us in the "
        "12 months before the claim and (b) $100."
    )
    amounts, rule = extract_money(text)
    assert rule == "greater_of"
    assert [(m.amount, m.currency) for m in amounts] == [(100.0, "USD")]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("limited to the lesser of the fees you paid or $50", "lesser_of"),
        ("limited to $50 or the fees you paid, whichever is greater", "greater_of"),
        ("limited to $50 or the fees you paid, whichever is less", "lesser_of"),
        ("THE GREATER OF ONE HUNDRED DOLLARS ($100) OR THE FEES YOU PAID", "greater_of"),
    ],
)
def test_money_rule(text: str, rule: str) -> None:
    amounts, found = extract_money(text)
    assert found == rule
    assert [m.amount for m in amounts] == [50.0 if "50" in text else 100.0]


def test_no_money_in_a_clause_without_amounts() -> None:
    assert extract_money("We may remove content at any time for 30 days.") == ([], None)


# --- period -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("fees paid during the 12-month period before the claim", 12, "month"),
        ("fees paid in the twelve (12) months before the claim", 12, "month"),
        ("fees paid in the last twelve months", 12, "month"),
        ("fees paid in the six (6) months preceding the event", 6, "month"),
        ("You may cancel within one year.", 1, "year"),
        ("You may cancel within 30 days.", 30, "day"),
        ("You may cancel within thirty calendar days.", 30, "day"),
        ("fees paid during the previous calendar year", 1, "year"),
        ("within ninety (90) days", 90, "day"),
        ("within sixty days", 60, "day"),
        ("within two weeks", 2, "week"),
        ("within Seventeen days", 17, "day"),
    ],
)
def test_period(text: str, value: int, unit: str) -> None:
    period = extract_period(text)
    assert period is not None
    assert (period.value, period.unit) == (value, unit)
    assert period.text in text


def test_period_is_the_first_stated_and_keeps_its_words() -> None:
    text = "Within 30 days, and in any case within one year, you must write to us."
    assert extract_period(text) == Period(value=30, unit="day", text="30 days")


def test_no_period() -> None:
    assert extract_period("We may change these terms at any time.") is None


# --- notice -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("We will give you at least 30 days' notice of any change.", 30),
        ("We will give you at least 30 days’ notice of any change.", 30),
        ("Either party may terminate on thirty (30) days prior written notice.", 30),
        ("We may end the service with 2 weeks notice.", 14),
        ("We may end the service on one month's notice.", 30),
        ("We will post a notice at least 15 days before the change takes effect.", 15),
        ("We will give notice of at least ten (10) business days.", 10),
        ("We will notify you 7 days in advance.", 7),
        ("At least 15 days before a price change, we will notify you by email.", 15),
        ("We may terminate upon a notice period of one year.", 365),
    ],
)
def test_notice_days(text: str, days: int) -> None:
    assert extract_notice_days(text) == days


@pytest.mark.parametrize(
    "text",
    [
        "We may suspend your account without notice.",
        "We may suspend your account without notice. Refunds take 30 days.",
        "Refunds are issued within 30 days.",
    ],
)
def test_no_notice_period(text: str) -> None:
    assert extract_notice_days(text) is None


# --- governing law ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "law"),
    [
        (
            "These terms are governed by the laws of the State of California, without regard to "
            "its conflict of law provisions.",
            "State of California",
        ),
        (
            "These terms are governed by and construed in accordance with the laws of England "
            "and Wales.",
            "England and Wales",
        ),
        ("The laws of Ireland shall apply to these terms.", "Ireland"),
        ("Japanese law governs this agreement.", "Japan"),
        ("This agreement is subject to the law of the Netherlands.", "Netherlands"),
        ("These terms are governed by Delaware law.", "State of Delaware"),
        ("These terms are governed by English law.", "England and Wales"),
        (
            "governed by the laws of the state of Delaware and the federal laws of the United "
            "States",
            "State of Delaware",
        ),
        (
            "THESE TERMS ARE GOVERNED BY THE LAWS OF THE STATE OF NEW YORK WITHOUT REGARD TO ITS "
            "CONFLICT OF LAWS PRINCIPLES.",
            "State of New York",
        ),
        ("THE LAWS OF IRELAND SHALL APPLY.", "Ireland"),
        (
            "governed by the laws of the Commonwealth of Massachusetts.",
            "Commonwealth of Massachusetts",
        ),
        (
            "Without regard to the conflict of laws of the State of Texas, Oregon law governs.",
            "State of Oregon",
        ),
    ],
)
def test_governing_law(text: str, law: str) -> None:
    assert extract_governing_law(text) == law


@pytest.mark.parametrize(
    "text",
    [
        "These terms are governed by the laws of your country of residence.",
        "We comply with all applicable laws.",
    ],
)
def test_no_governing_law(text: str) -> None:
    assert extract_governing_law(text) is None


# --- venue ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "venue"),
    [
        (
            "You consent to the exclusive jurisdiction of the state and federal courts located in "
            "Santa Clara County, California, for any dispute.",
            "Santa Clara County, California",
        ),
        ("Disputes will be heard by the courts of Dublin, Ireland.", "Dublin, Ireland"),
        ("Claims must be brought exclusively in the courts of England.", "England"),
        (
            "The Tokyo District Court shall have exclusive jurisdiction over any dispute.",
            "Tokyo District Court",
        ),
        (
            "Claims go to the United States District Court for the Northern District of "
            "California.",
            "United States District Court for the Northern District of California",
        ),
        ("Venue shall lie exclusively in Kings County, New York.", "Kings County, New York"),
        (
            "YOU SUBMIT TO THE JURISDICTION OF THE COURTS LOCATED IN SANTA CLARA COUNTY, "
            "CALIFORNIA, AND WAIVE ANY OBJECTION.",
            "Santa Clara County, California",
        ),
        ("Claims go to the state or federal courts located in US, CA only.", "US, CA"),
        (
            "Claims are heard only by the courts located in the city of Lisbon, Portugal.",
            "Lisbon, Portugal",
        ),
        ("Claims go to the courts of the State of Oregon.", "State of Oregon"),
    ],
)
def test_venue(text: str, venue: str) -> None:
    assert extract_venue(text) == venue


@pytest.mark.parametrize(
    "text",
    [
        "Any court of competent jurisdiction may enter judgment on the award.",
        "You may sue us in the courts of your place of residence.",
    ],
)
def test_no_venue(text: str) -> None:
    assert extract_venue(text) is None


# --- countries --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "countries"),
    [
        (
            "Available in the United States and the United Kingdom.",
            ["United Kingdom", "United States"],
        ),
        ("Users in the U.S., the USA or the UK.", ["United Kingdom", "United States"]),
        ("Residents of the US may opt out.", ["United States"]),
        ("If you live in the European Union or Germany", ["Germany"]),
        ("If you live in the European Union", []),
        ("the laws of England and Wales", ["United Kingdom"]),
        (
            "residents of Russia, South Korea, Viet Nam and Turkey",
            ["Russia", "South Korea", "Türkiye", "Vietnam"],
        ),
        ("the Netherlands and the Czech Republic", ["Czechia", "Netherlands"]),
        ("residents of New Jersey, New Mexico or Papua New Guinea", ["Papua New Guinea"]),
        ("offices in Indiana and India", ["India"]),
        ("the laws of the State of Georgia", []),
        ("a turkey sandwich made with china plates", []),
        ("IF YOU ARE IN JAPAN, CONTACT US", ["Japan"]),
    ],
)
def test_countries(text: str, countries: list[str]) -> None:
    assert extract_countries(text) == countries


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Data is stored in the US and in New Zealand.", ["US", "New Zealand"]),
        ("Copies are kept in the U.S. by our host.", ["U.S."]),
        ("PLEASE SEND THE FORM TO US BY POST.", []),
        ("YOUR DATA MAY BE TRANSFERRED TO THE UNITED STATES.", ["UNITED STATES"]),
        ("Offices in Indiana, New Jersey and the European Union.", []),
        ("Residents of New South Wales or Papua New Guinea.", ["Papua New Guinea"]),
    ],
)
def test_country_tokens_are_where_the_text_names_a_country(text: str, names: list[str]) -> None:
    doc = build_pipeline().make_doc(text)
    found = sorted(country_tokens(doc))
    runs = [doc[i : j + 1].text for i, j in _runs(found)]
    assert runs == names


def _runs(indices: list[int]) -> list[tuple[int, int]]:
    """Consecutive token indices as (first, last) pairs."""
    runs: list[tuple[int, int]] = []
    for i in indices:
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


# --- effective date ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Last updated: March 3, 2026", "2026-03-03"),
        ("These terms are effective as of January 1, 2025.", "2025-01-01"),
        ("Effective date: 2024-05-01", "2024-05-01"),
        ("Last modified on 5 May 2023", "2023-05-05"),
        ("Updated 12/31/2023", "2023-12-31"),
        ("Last Revised: Oct. 3, 2022", "2022-10-03"),
        ("Effective 3rd of March, 2026", "2026-03-03"),
        ("Last updated 13/45/2023. Effective date: 2024-05-01", "2024-05-01"),
    ],
)
def test_effective_date(text: str, date: str) -> None:
    assert extract_effective_date(text) == date


def test_effective_date_prefers_the_first_statement_in_a_document() -> None:
    document = (
        "# Terms of Service\n\n**Last updated:** March 3, 2026\n\n"
        "Our company was founded on June 1, 2010.\n\n"
        "The previous version was effective as of January 1, 2025.\n"
    )
    assert extract_effective_date(document) == "2026-03-03"


@pytest.mark.parametrize(
    "text",
    [
        "Our company was founded on March 3, 2020.",
        "Changes are effective immediately. Write to us by 1 June 2024.",
        "Last updated: September 2025",
        "No dates here at all.",
    ],
)
def test_no_effective_date(text: str) -> None:
    assert extract_effective_date(text) is None


# --- all together -----------------------------------------------------------------------------


def test_extract_runs_only_the_named_extractors() -> None:
    text = (
        "We may change these terms on thirty (30) days' notice; a fee of $100 applies in the "
        "U.S. and the laws of the State of California govern."
    )
    attributes = extract(text, ["notice_days", "money", "countries"])
    assert attributes == Attributes(
        money=[Money(amount=100.0, currency="USD", text="$100")],
        notice_days=30,
        countries=["United States"],
    )


def test_extract_with_no_names_is_empty() -> None:
    assert extract("the laws of Ireland apply; fees of $5", []) == Attributes()


# --- robustness -------------------------------------------------------------------------------

ALL_NAMES: list[AttributeName] = [
    "money",
    "period",
    "notice_days",
    "governing_law",
    "venue",
    "countries",
]
LEGAL_FRAGMENTS = st.sampled_from(
    [
        "$", "US$", "€", "100", "1,000.00", "one", "hundred", "(", ")", "(12)", "days", "month's",
        "notice", "notify", "before", "greater of", "laws of", "the", "State", "of", "courts",
        "located in", "Court", ",", ".", "and", "Last updated:", "Effective", "12/31/2023",
        "March", "3,", "2026", "US", "U.S.", "UK", "**", "\n", "’", "COURTS OF", "LAWS OF",
    ]
)  # fmt: skip


def _run_everything(text: str) -> None:
    extract_money(text)
    extract_period(text)
    extract_notice_days(text)
    extract_governing_law(text)
    extract_venue(text)
    extract_countries(text)
    extract_effective_date(text)
    extract(text, ALL_NAMES)


@given(st.text())
def test_extractors_never_raise_on_arbitrary_text(text: str) -> None:
    _run_everything(text)


@settings(max_examples=300)
@given(st.lists(LEGAL_FRAGMENTS, max_size=25).map(" ".join))
def test_extractors_never_raise_on_legal_looking_text(text: str) -> None:
    _run_everything(text)
