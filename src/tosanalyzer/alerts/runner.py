"""Run a check on a store as a face asks for it: with which channels, which fetch settings, and
one check at a time.

The channels are made (and so checked) before anything is fetched, so a URL Apprise cannot use
stops a check at once rather than after a long fetch, or a watch at 3 a.m. Checks on one store
hold an OS lock beside it, so cron and a watch never announce the same change together.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tosanalyzer.alerts.check import CheckOptions, CheckRun, Compared
from tosanalyzer.alerts.messages import RunDigest
from tosanalyzer.alerts.notify import Channel, channel
from tosanalyzer.base import Settings, config_path, load_settings
from tosanalyzer.store import Store
from tosanalyzer.tracking import DocumentFetch, FetchSettings, StoredText, fetch_settings

if TYPE_CHECKING:
    from tosanalyzer.analysis import Reviewer

Compare = Callable[[StoredText, StoredText], Compared]


def run_check(
    db: Path | None,
    options: CheckOptions | None,
    given: FetchSettings | None,
    compare: Compare,
    on_fetched: Callable[[DocumentFetch], None] | None = None,
) -> RunDigest:
    """One pass of the watcher over the store at ``db`` (see ``CheckRun``); another check
    running on the store is an error."""
    options = options or CheckOptions()
    settings = load_settings()
    channels = alert_channels(options, settings)
    with Store.open(db, create=True) as store, store.exclusive("check"):
        fetching = fetch_settings(given, options.allow_private, settings)
        run = CheckRun(store, options, settings, channels, fetching, compare)
        return run.run(on_fetched)


def compared(reviewer: Reviewer, before: StoredText, after: StoredText) -> Compared:
    """A check's view of a new version: the clause diff, and each version's own grade."""
    grades = (reviewer.reviewed(*before)[1].grade, reviewer.reviewed(*after)[1].grade)
    return Compared(
        diff=reviewer.clause_diff(before, after), grades=grades, library=reviewer.library
    )


def alert_channels(options: CheckOptions, settings: Settings | None = None) -> list[Channel]:
    """The channels a check sends to: the settings file's ``notify``, then the options'."""
    settings = settings or load_settings()
    urls = [(url, f"{config_path()}: notify[{i}]") for i, url in enumerate(settings.notify)]
    urls += [(url.get_secret_value(), f"--notify #{i}") for i, url in enumerate(options.notify, 1)]
    channels: dict[str, Channel] = {}
    for url, origin in urls:
        made = channel(url, origin)
        channels.setdefault(made.key, made)
    return list(channels.values())


def last_check(db: Path | None) -> str | None:
    """When the latest check on the store started (ISO 8601 UTC), if one ever did. Creates
    the store: ``watch`` asks, before it checks into it."""
    with Store.open(db, create=True) as store:
        return store.last_run_start()
