"""Language detection: script first, then function words; English wins when in doubt."""

from __future__ import annotations

import pytest

from tosanalyzer.analysis.nlp.language import detect_language

ENGLISH = (
    "By creating an account you agree to these terms. We may change the service at any time, "
    "and we will tell you about material changes by e-mail before they take effect."
)
ENGLISH_CAPS = (
    "THE SERVICE IS PROVIDED WITHOUT WARRANTIES OF ANY KIND. TO THE FULLEST EXTENT PERMITTED BY "
    "LAW, WE SHALL NOT BE LIABLE FOR ANY INDIRECT OR CONSEQUENTIAL LOSS ARISING FROM YOUR USE OF "
    "THE SERVICE."
)
ENGLISH_MARKDOWN = (
    "# 7. Payments\n\n"
    "- **Fees.** You pay the fees shown on your plan page.\n"
    "- **Refunds.** Fees are not refundable, except where the law requires it.\n\n"
    "| Plan | Fee |\n| --- | --- |\n| Basic | $5 |\n"
)

PARAGRAPHS = {
    "fr": (
        "En utilisant le service, vous acceptez les présentes conditions. Nous pouvons modifier "
        "ces conditions à tout moment et nous vous en informerons par courrier électronique."
    ),
    "de": (
        "Mit der Nutzung des Dienstes stimmen Sie diesen Bedingungen zu. Wir können die "
        "Bedingungen jederzeit ändern und werden Sie vorher per E-Mail darüber informieren."
    ),
    "es": (
        "Al utilizar el servicio, usted acepta estas condiciones. Podemos modificar las "
        "condiciones en cualquier momento y le avisaremos por correo electrónico."
    ),
    "it": (
        "Utilizzando il servizio, accetti questi termini. Possiamo modificare i termini in "
        "qualsiasi momento e ti informeremo delle modifiche con un messaggio di posta."
    ),
    "pt": (
        "Ao utilizar o serviço, você concorda com estes termos. Podemos alterar os termos a "
        "qualquer momento e vamos avisar você por e-mail antes das mudanças."
    ),
    "nl": (
        "Door de dienst te gebruiken gaat u akkoord met deze voorwaarden. Wij kunnen de "
        "voorwaarden op elk moment wijzigen en laten u dat vooraf per e-mail weten."
    ),
    "ja": (
        "本サービスを利用することにより、利用者は本規約に同意したものとみなされます。"
        "当社は、いつでも本規約を変更することができます。"
    ),
    "zh": "使用本服务即表示您同意本条款。我们可以随时修改本条款，并通过电子邮件通知您。",
    "ko": "서비스를 이용하면 본 약관에 동의하는 것으로 간주됩니다.",
    "ru": "Используя сервис, вы соглашаетесь с настоящими условиями.",
    "ar": "باستخدام الخدمة فإنك توافق على هذه الشروط.",
    "el": "Χρησιμοποιώντας την υπηρεσία, αποδέχεστε αυτούς τους όρους.",
    "he": "השימוש בשירות מהווה הסכמה לתנאים אלה.",
    "th": "การใช้บริการนี้ถือว่าคุณยอมรับข้อกำหนดเหล่านี้",
}


@pytest.mark.parametrize("text", [ENGLISH, ENGLISH_CAPS, ENGLISH_MARKDOWN])
def test_english_terms(text: str) -> None:
    assert detect_language(text) == "en"


@pytest.mark.parametrize(("expected", "text"), sorted(PARAGRAPHS.items()))
def test_other_languages(expected: str, text: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["Terms", "Privacy Policy", "FAQ", "Section 12.3"])
def test_short_text_is_english(text: str) -> None:
    assert detect_language(text) == "en"


@pytest.mark.parametrize("text", ["", "   \n", "12.3 — 2024-01-01", "| --- | --- |", "😀 → ✓"])
def test_no_letters_is_undetermined(text: str) -> None:
    assert detect_language(text) == "und"


def test_unsupported_script_is_undetermined() -> None:
    assert detect_language("सेवा का उपयोग करके आप इन शर्तों से सहमत होते हैं।") == "und"


def test_japanese_with_english_names_and_markdown() -> None:
    text = "# 第3条（Google Analytics の利用）\n\n- 当社は、Cookie を使用して分析します。\n"
    assert detect_language(text) == "ja"


def test_english_page_quoting_a_little_japanese_stays_english() -> None:
    assert detect_language(ENGLISH + " 日本語版は参考です。 " + ENGLISH) == "en"


def test_decomposed_accents_are_recognised() -> None:
    decomposed = PARAGRAPHS["pt"].replace("ê", "e\u0302").replace("ç", "c\u0327")
    assert detect_language(decomposed) == "pt"


def test_only_the_start_of_a_long_document_is_read() -> None:
    text = ENGLISH * 200 + PARAGRAPHS["de"] * 2000
    assert detect_language(text) == "en"
