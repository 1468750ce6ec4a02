"""What an import will write: each entry mapped into the seed's schema, links already in the
content folder or earlier in the import left out, and every problem as one line."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from pathlib import Path
from urllib.parse import unquote, urlsplit

from roundup.authoring import articlefile
from roundup.authoring.articlefile import NewArticle
from roundup.core.dates import utc_stamp
from roundup.core.links import canonical_link, clean_url, registrable_domain, strip_tracking
from roundup.core.model import Image, Provider
from roundup.core.text import CONTROL_CHARS, LINE_CONTROLS, collapse_spaces, one_line, shorten
from roundup.importers.entry import EXCERPT_LIMIT, Entry, Skip
from roundup.importers.htmlmarkdown import note_markdown
from roundup.importers.sources import Reading
from roundup.read.content import derived_slug
from roundup.read.records import MAX_TITLE, MAX_TOPIC_LENGTH

__all__ = ["Options", "Plan", "Planned", "free_names"]

# Controls in one-line fields (tabs and newlines are whitespace there, not controls).


@dataclass(frozen=True, slots=True)
class Options:
    """The command line's say over every entry."""

    topics: tuple[str, ...] = ()  # --topic: added to every entry
    draft: bool = False  # --draft: every entry unpublished
    since: datetime | None = None  # --since: entries before it are left out (aware)
    folders_as_topics: bool = False  # --folders-as-topics


@dataclass(frozen=True, slots=True)
class Planned:
    """An article to write, and the entry it came from."""

    source: str
    place: str
    article: NewArticle


@dataclass
class Plan:
    """Every source's entries, sorted into what to write, what is there already, what not."""

    options: Options
    curated: set[str]  # canonical links of the content folder
    zone: tzinfo
    articles: list[Planned] = field(default_factory=list)
    present: int = 0
    repeated: int = 0  # entries whose link an earlier entry of the import has: merged
    skipped: int = 0
    older: int = 0
    notices: list[str] = field(default_factory=list)
    _planned: dict[str, int] = field(default_factory=dict)  # canonical link → index
    _domains: dict[str, str] = field(default_factory=dict)  # host → registrable domain

    def add(self, label: str, reading: Reading) -> None:
        """Sort a source's entries, in order, into the plan."""
        self.notices += [f"{label}: {warning}" for warning in reading.warnings]
        undated = 0
        for entry in reading.entries:
            if isinstance(entry, Skip):
                self._skip(label, entry)
            elif self._add(label, entry, reading.default_date):
                undated += entry.published_at is None
        if undated:
            when = utc_stamp(reading.default_date)
            have = f"{undated} entries have" if undated > 1 else "1 entry has"
            self.notices.append(
                f"{label}: publishedDateTime: {have} no date; dated {when}, "
                f"{reading.default_reason}"
            )

    def _skip(self, label: str, skip: Skip) -> None:
        self.skipped += 1
        self.notices.append(f"{label}:{skip.place}: {skip.field}: {skip.message}")

    def _add(self, label: str, entry: Entry, default_date: datetime) -> bool:
        """Plan the entry's article; whether it is a new one."""
        url = entry.url.strip()
        problem = _url_problem(url)
        if problem:
            self._skip(label, Skip(entry.place, "originalUrl", problem))
            return False
        url = strip_tracking(clean_url(url))
        when = entry.published_at or default_date
        if self.options.since and _aware(when, self.zone) < self.options.since:
            self.older += 1
            return False
        key = canonical_link(url)
        if key in self.curated:
            self.present += 1
            return False
        earlier = self._planned.get(key)
        if earlier is not None:  # the same link twice in the import: one file, all its topics
            self._merge(label, earlier, entry, url, when)
            return False
        try:
            article = self._article(label, entry, url, when)
        except ValueError as error:  # NewArticle's "field: reason"
            name, _, message = str(error).partition(": ")
            self._skip(label, Skip(entry.place, name, message))
            return False
        self._planned[key] = len(self.articles)
        self.articles.append(Planned(label, entry.place, article))
        return True

    def _merge(
        self, label: str, earlier: int, entry: Entry, url: str, when: datetime | date
    ) -> None:
        """Fold an entry into the earlier one of its link: its topics, and its text (when it
        has some the first lacks), so that nothing the export held is lost."""
        self.repeated += 1
        kept = self.articles[earlier]
        first = kept.article
        told = len(self.notices)
        try:
            second = self._article(label, entry, url, when)
        except ValueError:  # told nowhere else: its text is what matters here, and its topics
            second = dataclasses.replace(first, excerpt="", comment="")
        del self.notices[told:]  # about its title and the like, which the file does not take
        excerpt, pieces = first.excerpt, [first.comment]
        if second.excerpt and second.excerpt != excerpt:
            if excerpt:
                pieces.append(note_markdown(second.excerpt))
            else:
                excerpt = second.excerpt
        if second.comment and second.comment not in pieces:
            pieces.append(second.comment)
        comment = "\n\n".join(p for p in pieces if p)
        topics = first.topics + self._topics(entry)
        merged = dataclasses.replace(first, topics=topics, excerpt=excerpt, comment=comment)
        self.articles[earlier] = dataclasses.replace(kept, article=merged)
        where = f"{kept.source}:{kept.place}"
        if kept.source == label:
            where = f"line {kept.place}" if kept.place.isdigit() else kept.place
        text = (excerpt, comment) != (first.excerpt, first.comment)
        added = "its topics and text added" if text else "its topics added"
        self.notices.append(
            f"{label}:{entry.place}: originalUrl: the same link as {where}; one file "
            f"for both, {added}"
        )

    def _domain(self, url: str) -> str:
        """The URL's registrable domain, looked up once per host: an export holds thousands
        of links to a few hundred sites."""
        host = _host(url)
        domain = self._domains.get(host)
        if domain is None:
            domain = self._domains[host] = registrable_domain(url)
        return domain

    def _topics(self, entry: Entry) -> tuple[str, ...]:
        folders = entry.folders if self.options.folders_as_topics else ()
        return (*entry.tags, *folders, *self.options.topics)

    def _article(self, label: str, entry: Entry, url: str, when: datetime | date) -> NewArticle:
        for name, value in (("title", entry.title), ("excerpt", entry.description),
                            ("topics", " ".join(entry.tags))):  # fmt: skip
            if CONTROL_CHARS.search(value):
                self.notices.append(f"{label}:{entry.place}: {name}: control characters removed")
        title = one_line(entry.title)
        if title == entry.url.strip():  # Pocket's title for a page it could not read
            title = _title_from(url)
        elif not title:
            title = _title_from(url)
            self.notices.append(
                f"{label}:{entry.place}: title: empty; the link's address is the title"
            )
        if len(title) > MAX_TITLE:  # the file keeps a title of MAX_TITLE characters at most
            self.notices.append(
                f"{label}:{entry.place}: title: {len(title):,} characters; cut to {MAX_TITLE}"
            )
        for topic in self._topics(entry):
            if len(topic.strip()) > MAX_TOPIC_LENGTH:
                self.notices.append(
                    f"{label}:{entry.place}: topics: {shorten(topic.strip(), 40)!r} is "
                    f"{len(topic.strip()):,} characters; cut to {MAX_TOPIC_LENGTH}"
                )
        excerpt, comment = entry.description.strip(), entry.note
        if "\n\n" in excerpt.replace("\r\n", "\n") or len(excerpt) > EXCERPT_LIMIT:
            # A long description is the curator's text rather than a line under the title.
            comment = "\n\n".join(p for p in (note_markdown(excerpt), comment) if p)
            excerpt = ""
        domain = self._domain(url)
        return NewArticle(
            title=title,
            published_at=when,
            original_url=url,
            excerpt=excerpt,
            provider=Provider(collapse_spaces(entry.provider_name) or domain, domain),
            topics=self._topics(entry),
            images=(Image(entry.image.strip(), *(entry.image_size or ())),)
            if entry.image.strip()
            else (),
            published=not (entry.private or entry.unread or self.options.draft),
            comment=comment,
        )


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


def _url_problem(url: str) -> str:
    """Why a link cannot be imported, or "" when it can."""
    if not url:
        return "the entry has no link"
    shown = shorten(url, 80)
    if LINE_CONTROLS.search(url):
        return f"{shown!r} contains control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a malformed port
    except ValueError:
        return f"{shown!r} is not a valid URL"
    if not parts.scheme:
        return f"{shown!r} is a relative link, and the source says nothing it is relative to"
    if parts.scheme.lower() not in ("http", "https"):
        return f"{shown!r} is not an http:// or https:// link"
    if not parts.hostname:
        return f"{shown!r} has no host name"
    return ""


def _title_from(url: str) -> str:
    """A title for a link that has none: its host and path, as a browser shows it."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    path = unquote(parts.path).rstrip("/")
    return host + path + (f"?{parts.query}" if parts.query else "")


def _aware(when: datetime | date, zone: tzinfo) -> datetime:
    if not isinstance(when, datetime):
        return datetime.combine(when, time(0), zone)
    return when if when.tzinfo else when.replace(tzinfo=zone)


def free_names(
    folder: Path, articles: list[NewArticle], zone: tzinfo, taken: Collection[str] = ()
) -> list[Path]:
    """The paths `articlefile.write` would give the articles, written one after the other
    into `folder` (with the slugs `taken`): what `--dry-run` lists, creating nothing."""
    claimed: set[str] = set()
    paths = []
    for article in articles:
        attempt = 1
        while True:
            name = articlefile.file_name(article, zone, f"-{attempt}" if attempt > 1 else "")
            free = derived_slug(name) not in taken and not (folder / name).exists()
            if name not in claimed and free:
                break
            attempt += 1
        claimed.add(name)
        paths.append(folder / name)
    return paths
