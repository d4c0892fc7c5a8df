"""Read who may do what in a finding's clause, from a dependency parse we train ourselves.

The parse says who is the subject of the verb a rule matched, which modal governs it and whether
it is negated, through infinitives and coordinations ("you may not use the service to train …"
has the user as the actor of "train", denied). The conditions a reviewer weighs (notice, cause,
discretion, an opt-out) are fixed phrases and are read from the words. Only the clauses of
findings are parsed: the parser is far slower than the tokenizer the rules run on.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from tosanalyzer.analysis.nlp.attributes import extract_notice_days
from tosanalyzer.models import Actor, AnalysisResult, Cause, ClauseForm, Frame, Modality, Notice

MODEL_DIR = Path(__file__).resolve().parent / "model"
"""The tagger and parser trained by scripts/train-parser (UD English EWT, CC BY-SA 4.0)."""

_WHITE_SPACE = re.compile(r"\s")
_SUBJECTS = {"nsubj", "nsubj:pass", "csubj", "expl"}
_CLIMB = {"xcomp", "advcl", "conj", "acl", "ccomp", "acl:relcl"}
_MODALS: dict[str, Modality] = {
    "may": "may", "can": "may", "might": "may", "could": "may",
    "must": "must", "shall": "must", "should": "must",
    "will": "will", "would": "will", "wo": "will", "ca": "may",
}  # fmt: skip
_NEGATIONS = {"not", "n't", "never", "no", "neither", "nor"}
_PROVIDER = {"we", "us", "our", "ours", "company", "provider", "operator"}
_USER = {"you", "your", "yours", "user", "users", "customer", "customers", "member", "members",
         "subscriber", "subscribers", "licensee", "visitor", "visitors"}  # fmt: skip
_THIRD = {"partner", "partners", "advertiser", "advertisers", "affiliate", "affiliates", "third",
          "vendor", "vendors", "provider", "providers", "processor", "processors", "authority",
          "authorities", "government", "others", "anyone"}  # fmt: skip
_BOTH = {"either", "both", "each", "neither"}

_DEFINITION = re.compile(
    r"^\W*(?:[\"“'‘*_]+[^\"”'’*_]{1,80}[\"”'’*_]+|[A-Z][\w-]*(?: [A-Z][\w-]*){0,4})\s*[:,]?\s*"
    r"(?:means|shall mean|refers to|has the meaning|is defined as|includes?)\b",
)
_EXAMPLE = re.compile(r"^\W*(?:for example|for instance|e\.g\.|such as)\b", re.IGNORECASE)
_REFERENCE = re.compile(
    r"^\W*(?:see|refer to|as (?:described|set out|explained) in|learn more)\b", re.IGNORECASE
)
_WITHOUT_NOTICE = re.compile(
    r"\bwithout (?:any )?(?:prior |advance |further )?(?:written )?notice\b", re.IGNORECASE
)
_NOTICE_GIVEN = re.compile(
    r"\b(?:\d+|[a-z-]+) (?:\([0-9]+\) )?(?:business |calendar )?days?['’]? (?:prior |advance )?"
    r"(?:written )?notice\b|\b(?:prior|advance|reasonable|written) notice\b"
    r"|\b(?:we will|we'll|we shall) (?:notify|tell|inform) you\b|\bgiving you notice\b",
    re.IGNORECASE,
)
_ANY_REASON = re.compile(
    r"\bfor any (?:or no )?reason\b|\bwith or without cause\b|\bfor no reason\b"
    r"|\bfor convenience\b",
    re.IGNORECASE,
)
_FOR_CAUSE = re.compile(
    r"\bfor cause\b|\bif you (?:materially )?(?:breach|violate|fail to)\b|\bin (?:the )?case of "
    r"(?:a )?(?:material )?breach\b",
    re.IGNORECASE,
)
_DISCRETION = re.compile(r"\b(?:sole|absolute|own|complete) (?:and absolute )?discretion\b", re.I)
_OPT_OUT = re.compile(
    r"\bopt(?:-| )?out\b|\bturn (?:it )?off\b|\bwithdraw (?:your )?consent\b"
    r"|\bchoose not to\b|\bdisable\b|\bunsubscribe\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def load_parser(model: Path = MODEL_DIR) -> Language:
    """The shipped parser, loaded once per process and only when a frame is asked for."""
    return spacy.load(model)


def with_frames(result: AnalysisResult) -> AnalysisResult:
    """``result`` with the frame of each finding, read around the words its rule matched.
    A clause several findings quote (one sentence, several types) is parsed once."""
    parser = load_parser()
    parsed: dict[str, Doc] = {}
    framed = []
    for finding in result.findings:
        clause = _WHITE_SPACE.sub(" ", finding.quote)
        if clause not in parsed:
            parsed[clause] = parser(clause)
        at = max(finding.quote.find(finding.matched_text), 0)
        frame = _frame(parsed[clause], (at, at + len(finding.matched_text)))
        framed.append(finding.model_copy(update={"frame": frame}))
    return result.model_copy(update={"findings": framed})


def read_frame(clause: str, matched: tuple[int, int], parser: Language | None = None) -> Frame:
    """The frame of ``clause`` around the characters ``matched`` (offsets into ``clause``).
    Line breaks of hard-wrapped text read as spaces, offsets unchanged."""
    return _frame((parser or load_parser())(_WHITE_SPACE.sub(" ", clause)), matched)


def _frame(doc: Doc, matched: tuple[int, int]) -> Frame:
    clause = doc.text
    span = doc.char_span(*matched, alignment_mode="expand") or doc[:]
    predicate = _predicate(span)
    governors = _governors(predicate)
    notice = _notice(clause)
    return Frame(
        actor=_actor(governors),
        modality=_modality(governors),
        polarity="denied" if _denied(governors) else "affirmed",
        form=_form(clause),
        notice=notice,
        notice_days=extract_notice_days(clause) if notice == "given" else None,
        cause=_cause(clause),
        sole_discretion=bool(_DISCRETION.search(clause)),
        opt_out=bool(_OPT_OUT.search(clause)),
        predicate=predicate.text,
    )


def _predicate(span: Span) -> Token:
    """The first full verb the rule matched, else the verb its words hang from."""
    for token in span:
        if token.tag_.startswith("VB") and token.dep_ not in {"aux", "aux:pass", "cop"}:
            return token
    token = span.root
    while not token.tag_.startswith("VB") and token.head.i != token.i:
        token = token.head
    return token


def _governors(predicate: Token) -> list[Token]:
    """The predicate and the verbs it inherits a subject, modal or negation from: "(you may
    not use it) to train" — an infinitive, a coordinated or subordinate verb without a subject
    of its own takes its head's."""
    chain = [predicate]
    token = predicate
    while (
        token.dep_ in _CLIMB
        and token.head.i != token.i
        and not any(child.dep_ in _SUBJECTS for child in token.children)
    ):
        token = token.head
        chain.append(token)
    return chain


def _actor(governors: list[Token]) -> Actor:
    for verb in governors:
        subject = next((c for c in verb.children if c.dep_ in _SUBJECTS), None)
        agent = next((c for c in verb.children if c.dep_ == "obl:agent"), None)
        if subject is not None and subject.dep_ == "nsubj:pass" and agent is not None:
            return _party(agent)
        if subject is not None:
            return _party(subject)
    return "none"


def _party(token: Token) -> Actor:
    words = {t.lower_ for t in token.subtree}
    if words & _BOTH and ({"party", "parties"} & words or token.lower_ in _BOTH):
        return "both"
    head = token.lower_
    if head in _PROVIDER or (token.tag_ == "NNP" and not words & _USER):
        return "provider"
    if head in _USER or (words & {"you", "your"} and head not in _THIRD):
        return "user"
    if head in _THIRD or words & {"third", "parties"}:
        return "third_party"
    return "none"


def _modality(governors: list[Token]) -> Modality:
    for verb in governors:
        for child in verb.children:
            if child.dep_ in {"aux", "aux:pass"} and child.lower_ in _MODALS:
                return _MODALS[child.lower_]
    return "none"


def _denied(governors: list[Token]) -> bool:
    for verb in governors:
        for child in verb.children:
            if child.lower_ in _NEGATIONS and child.dep_ in {"advmod", "neg", "det", "cc:preconj"}:
                return True
            if child.dep_ in _SUBJECTS and any(t.lower_ == "no" for t in child.children):
                return True
    return False


def _form(clause: str) -> ClauseForm:
    if _DEFINITION.search(clause):
        return "definition"
    if _EXAMPLE.search(clause):
        return "example"
    if _REFERENCE.search(clause):
        return "cross_reference"
    return "clause"


def _notice(clause: str) -> Notice:
    if _WITHOUT_NOTICE.search(clause):
        return "without"
    return "given" if _NOTICE_GIVEN.search(clause) else "unstated"


def _cause(clause: str) -> Cause:
    if _ANY_REASON.search(clause):
        return "any_reason"
    return "for_cause" if _FOR_CAUSE.search(clause) else "unstated"
