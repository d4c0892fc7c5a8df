"""What the command prints: the consoles, JSON, and each result as a person reads it.

Every byte a command writes goes through here, so no printer has to remember that the text it
shows came from a vendor's page and may hold control characters.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, RenderableType
from rich.markup import escape
from rich.segment import Segment

from tosanalyzer.models import strip_controls

if TYPE_CHECKING:
    from tosanalyzer.models import AnalysisResult, EvalReport, JudgedReport, TrackedService
    from tosanalyzer.workspace import DocumentDiff, DocumentFetch, RunDigest


class _PlainConsole(Console):
    """A console that prints no control character it is given as text.

    Vendors' pages, and versions stored before text was cleaned on its way in, can hold ESC
    sequences (clear the screen, retitle the window, a hyperlink that points elsewhere) and C1
    controls; Rich's escaping stops markup, not those. Every print renders through here, so no
    printer has to remember; Rich's own control segments (a progress bar's cursor moves) pass.
    """

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control:
                yield segment
            else:
                yield Segment(strip_controls(segment.text), segment.style)


out = _PlainConsole(highlight=False, soft_wrap=True)
err = _PlainConsole(stderr=True, highlight=False, soft_wrap=True)


def write_text(text: str) -> None:
    """Output that bypasses Rich (a report, a JSON line), as safe as what ``out`` prints."""
    sys.stdout.write(strip_controls(text))


def print_json(data: object, exclude: set[str] | None = None) -> None:
    """``data`` (a model, or a list or dict of models) as indented JSON, made by pydantic and
    written as UTF-8 bytes. Rich's ``print_json`` parsed the JSON back into Python objects to lay
    it out again: 35 s and 1.3 GB for a 21 MB analysis. UTF-8 whatever the locale, as JSON is
    (RFC 8259): a stream in cp1252 cannot encode a Japanese vendor's name. Control characters
    are dropped, as from everything printed."""
    from pydantic import TypeAdapter

    text = TypeAdapter(type(data)).dump_json(data, indent=2, exclude=exclude).decode()
    sys.stdout.flush()  # anything printed before comes first
    sys.stdout.buffer.write(strip_controls(text).encode() + b"\n")


# --- analysis ------------------------------------------------------------------------------------


def print_analysis(result: AnalysisResult) -> None:
    doc = result.document
    out.print(f"[bold]{escape(doc.source)}[/bold]")
    facts = [doc.format, f"language {doc.language}"]
    if doc.effective_date:
        facts.append(f"effective {doc.effective_date}")
    facts += [f"{len(result.clauses)} clauses", f"{len(result.findings)} findings"]
    out.print(" · ".join(facts))
    prov = result.provenance
    out.print(
        f"[dim]patterns {prov.pattern_library_version} · tosanalyzer {prov.analyzer_version}[/dim]"
    )
    if not doc.analysed:
        out.print(f"[yellow]{escape(doc.not_analysed_reason or 'not analysed')}[/yellow]")
        return
    colours = {"blocker": "red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}
    for finding in result.findings:
        where = " > ".join(finding.section_path) or "(top)"
        colour = colours[finding.severity]
        form = f"fair form: {finding.fair_because}" if finding.fairness == "fair" else ""
        out.print(
            f"\n[{colour}]{finding.severity.upper():7}[/{colour}] [bold]{finding.clause_type}"
            f"[/bold] ({finding.polarity}) in {escape(where)}  [dim]{finding.pattern_id}[/dim]"
            + (f"  [green]{escape(form)}[/green]" if form else "")
        )
        out.print(f"        “{escape(' '.join(finding.quote.split()))}”")
        if finding.frame is not None:
            out.print(f"        [magenta]who may do what: {escape(finding.frame.says())}[/magenta]")
        facts_line = _attribute_line(finding.attributes.model_dump(exclude_defaults=True))
        if facts_line:
            out.print(f"        [cyan]{escape(facts_line)}[/cyan]")
    out.print("\n[dim]An automated reading of the terms, not legal advice.[/dim]")


def _attribute_line(attrs: dict[str, object]) -> str:
    parts = []
    for key, value in attrs.items():
        if isinstance(value, list):
            value = ", ".join(str(v["text"]) if isinstance(v, dict) else str(v) for v in value)
        elif isinstance(value, dict):
            value = value.get("text", value)
        parts.append(f"{key}: {value}")
    return "; ".join(parts)


def print_eval_report(report: EvalReport) -> None:
    out.print(
        f"{report.dataset} · {escape(report.source)} · {report.items} items · "
        f"patterns {report.provenance.pattern_library_version}"
    )
    out.print(f"{'category':32} {'P':>6} {'R':>6} {'F1':>6} {'support':>8}")
    rows = [*report.per_category.items(), ("micro", report.micro), ("macro", report.macro)]
    for name, s in rows:
        out.print(f"{name:32} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.support:8d}")
    if report.false_tag_rate is not None:
        out.print(f"false_tag_rate {report.false_tag_rate:.4f}", end="")
        if report.false_tag_rate_without_last_updated is not None:
            rate = report.false_tag_rate_without_last_updated
            out.print(f" (without 'last updated' rows: {rate:.4f})", end="")
        out.print()
    if report.leave_one_out:
        single = report.single_document_rules
        group = "document" if report.dataset == "claudette" else "service"
        out.print(
            f"leave-one-out: each {group} scored without the {len(single)} rules that help "
            f"in one {group} only (rule · role · {group}):"
        )
        for support in single:
            out.print(f"  {support.rule} · {support.role} · {escape(support.document)}")
    for error in report.errors:
        tag = "FP" if error.kind == "false_positive" else "FN"
        fired = escape(f" [{error.pattern_id}]") if error.pattern_id else ""
        out.print(f"{tag} {error.clause_type}{fired} {escape(error.item)}: {escape(error.text)}")
        if error.nearest_miss:
            out.print(f"   [dim]nearest miss: {escape(error.nearest_miss)}[/dim]")


# --- tracking ------------------------------------------------------------------------------------


def print_tracked(services: list[TrackedService]) -> None:
    for service in services:
        out.print(f"[bold]{escape(service.name)}[/bold] [dim]({service.slug})[/dim]")
        for document in service.documents:
            pages = f"{document.pages} pages" if document.pages != 1 else "1 page"
            out.print(
                f"  {escape(document.name)} [dim]({document.slug})[/dim] · {pages} · "
                f"{document.versions} versions"
            )
            for note in document.notes:
                out.print(f"    [yellow]{escape(note)}[/yellow]")


def print_fetched(result: DocumentFetch) -> None:
    colour = {"changed": "green", "unchanged": "dim", "failed": "red"}[result.outcome]
    where = f"{result.service} / {result.document}"
    line = f"[{colour}]{result.outcome:9}[/{colour}] {escape(where)}"
    if result.error:
        line += f": {escape(result.error)}"
    out.print(line)
    for name in result.unsupported_filters:
        out.print(f"          [yellow]JavaScript filter not run here: {escape(name)}[/yellow]")


# --- change --------------------------------------------------------------------------------------


def print_text_diff(result: DocumentDiff) -> None:
    from tosanalyzer.workspace import unified_lines

    labels = (
        f"{result.document} version {result.old.id} ({result.old.recorded_at})",
        f"{result.document} version {result.new.id} ({result.new.recorded_at})",
    )
    if not out.is_terminal:
        for line in unified_lines(result.text, *labels):
            out.print(escape(line))
        return
    out.print(f"[bold]--- {escape(labels[0])}\n+++ {escape(labels[1])}[/bold]")
    styles = {"insert": "green", "delete": "red", "equal": ""}
    for hunk in result.text.hunks:
        out.print(f"[cyan]{hunk.header}[/cyan]")
        for row in hunk.lines:
            mark = {"equal": " ", "delete": "-", "insert": "+"}[row.op]
            body = "".join(
                f"[{styles[s.op]} bold]{escape(s.text)}[/]" if s.op != "equal" else escape(s.text)
                for s in row.segments
            ) or escape(row.text)
            colour = styles[row.op]
            out.print(f"[{colour}]{mark}{body}[/]" if colour else f"{mark}{body}")


def print_clause_diff(result: DocumentDiff) -> None:
    clauses = result.clauses
    counts = ", ".join(
        f"{clauses.count(kind)} {kind}" for kind in ("added", "removed", "modified", "moved")
    )
    colour = {"material": "red", "substantive": "yellow", "cosmetic": "dim"}[clauses.change_class]
    out.print(f"\n[{colour}][bold]{clauses.change_class}[/bold][/{colour}] · clauses: {counts}")
    if clauses.capped_because:
        out.print(f"  [dim]never material: {escape(clauses.capped_because)}[/dim]")
    for reason in clauses.reasons:
        out.print(f"  {escape(reason)}")


# --- alerts --------------------------------------------------------------------------------------


def print_digest(digest: RunDigest, quiet: bool = False) -> None:
    """The alerts as the channels read them (in plain text), then what happened to each channel.
    ``quiet`` keeps only what needs a human: alerts, failed documents, failed channels."""
    from tosanalyzer.workspace import plural, render_alerts

    if digest.alerts:
        out.print(escape(render_alerts(digest, [a.alert for a in digest.alerts], "text").body))
    if quiet:
        for failure in digest.failures:
            where = f"{failure.service} / {failure.document}"
            out.print(f"[red]failed[/red] {escape(where)}: {escape(failure.error)}")
    else:
        found = digest.changes_found
        out.print(
            f"{plural(digest.documents, 'document')}: {digest.changed} changed,"
            f" {digest.unchanged} unchanged, {digest.failed} failed; changes found:"
            f" {found.material} material, {found.substantive} substantive,"
            f" {found.cosmetic} cosmetic ({digest.not_announced} not announced)"
        )
    for result in digest.channels:
        label = escape(result.channel)
        if not result.ok:
            tried = plural(result.attempts, "attempt")
            out.print(f"[red]not sent[/red] {label} after {tried}: {escape(result.error or '')}")
        elif quiet:
            continue
        elif result.alerts:
            out.print(f"sent {plural(result.alerts, 'alert')} to {label}")
        else:
            out.print(f"[dim]nothing to send to {label}[/dim]")


def print_judged_report(report: JudgedReport, unjudged: bool) -> None:
    """Per document and in all: verdicts, precision (C over judged), misses found, and how many
    findings wait for a verdict (listed with ``unjudged``: offsets and quote hashes)."""
    for document in report.documents:
        counts = " ".join(f"{verdict} {n}" for verdict, n in document.verdicts.items())
        out.print(
            f"{escape(document.source)}: {document.findings} findings · {counts} · "
            f"{document.unjudged} not judged · misses found {document.misses_found}"
            f"/{document.misses}"
        )
    precision = "n/a" if report.precision is None else f"{report.precision:.3f}"
    out.print(
        f"precision {precision} ({report.verdicts['C']} correct of {report.judged} judged); "
        f"{len(report.unjudged)} of {report.findings} findings not judged yet; "
        f"misses found {report.misses_found}/{report.misses}"
    )
    if unjudged:
        for finding in report.unjudged:
            out.print(
                f"not judged: {escape(finding.source)} {finding.start}-{finding.end} "
                f"{finding.pattern_id} sha256:{finding.quote_sha256}"
            )
