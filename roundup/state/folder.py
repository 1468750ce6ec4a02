"""The cache folder: roundup's private state, kept apart from the published output folder."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from roundup.core.config import SiteConfig
from roundup.core.errors import OutputError
from roundup.read.loader import display_path
from roundup.state.ownership import check_folder, resolved

PARSED = "parsed"  # the parse cache's shard files
TEMPLATES = "templates.bin"  # compiled templates (code: written owner-only)
OUTPUTS = "outputs"  # one folder per output folder: the record of the files roundup wrote there
# The usual mark of a cache folder (https://bford.info/cachedir/): backup tools skip it.
CACHEDIR_TAG = "CACHEDIR.TAG"
_TAG_TEXT = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache folder tag created by roundup.\n"
    "# Everything here can be deleted; the next build makes it again.\n"
)

# And git's: the cache holds every article's parsed text, drafts included, and no commit
# should carry it (a site's own .gitignore may not name the folder, as in a fresh clone).
GITIGNORE = ".gitignore"
_GITIGNORE_TEXT = "# Created by roundup: nothing in this cache folder belongs in git.\n*\n"


class StateFolder:
    """Where roundup keeps what it knows between builds (default `.roundup-cache/` beside the
    config file). Nothing in it is published, nothing in it is code that runs when read,
    except compiled templates, which are keyed on Jinja's version and readable by the owner
    only; and all of it may be deleted at any time."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def parsed(self) -> Path:
        return self.root / PARSED

    @property
    def templates(self) -> Path:
        return self.root / TEMPLATES

    def records(self, output: Path) -> Path:
        """The folder of one output folder's records, named after its absolute path."""
        where = str(output.resolve()).encode("utf-8", "surrogatepass")
        return self.root / OUTPUTS / hashlib.blake2b(where, digest_size=8).hexdigest()

    def ensure(self) -> None:
        """Create the folder (owner-only) with its tag, once."""
        try:
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            for name, text in ((CACHEDIR_TAG, _TAG_TEXT), (GITIGNORE, _GITIGNORE_TEXT)):
                mark = self.root / name
                if not mark.exists():
                    mark.write_text(text, encoding="ascii")
        except OSError as error:
            if self.root.is_dir():  # there, but not this user's to write in
                owner = _owner(self.root)
                why = (error.strerror or str(error)) + (f": it belongs to {owner}" if owner else "")
                what = f"cannot write in the cache folder {self.root} ({why})"
            elif self.root.exists():
                what = f"the cache folder {self.root} is a file, not a folder"
            else:
                what = f"cannot create the cache folder {self.root}: {error.strerror}"
            raise OutputError(f"{what}; choose another with --cache-dir or cache_dir") from None


def _owner(folder: Path) -> str:
    """The name of the user a folder belongs to, if not this one ("" if it is, or unknown)."""
    try:
        owner = folder.stat().st_uid
        if owner == os.getuid():
            return ""
        import pwd  # Unix only, as getuid

        return pwd.getpwuid(owner).pw_name
    except (OSError, KeyError, AttributeError, ImportError):
        return ""


def check_site_folders(config: SiteConfig) -> None:
    """Refuse an output folder that would replace the project's files, or whose files a
    build would read back: inside the content folder (its .html pages are no articles, but
    its .txt files are), or inside the templates folder (every file there is a template: a
    second build stopped at a page of the first, "unexpected char '#'"); and a templates
    folder that holds the content (`templates_dir = "/"` made a build read the whole disk)."""
    templates, content = resolved(config.templates_dir), resolved(config.content_dir)
    if content.is_relative_to(templates):
        raise OutputError(
            f"the templates folder {display_path(config.templates_dir, Path.cwd())} holds the "
            "content folder; give the templates a folder of their own (templates_dir, "
            "default templates/)"
        )
    protected = {
        "the content folder": config.content_dir,
        "the templates folder": config.templates_dir,
        "the site's folder": Path.cwd(),
    }
    if config.source is not None:
        protected["the folder of the config file"] = config.source.parent
    check_folder(config.output_dir, protected)
    output = resolved(config.output_dir)
    for name, folder in (("content", config.content_dir), ("templates", config.templates_dir)):
        if output.is_relative_to(resolved(folder)):
            raise OutputError(
                f"refusing to build into {display_path(config.output_dir, Path.cwd())}: it is "
                f"inside the {name} folder, whose files are all read as "
                f"{'articles' if name == 'content' else 'templates'}; choose a folder beside it, "
                "such as output/"
            )


def check_site_cache(config: SiteConfig) -> None:
    """`check_apart` for a site: its cache folder against its output, content and templates
    folders. Every command that writes the cache asks first (`build`, `serve`, `check
    --links`, `ping`): state written inside `output/` would be published."""
    sources = {"content": config.content_dir, "templates": config.templates_dir}
    check_apart(config.cache_dir, config.output_dir, sources)
    check_ours(config.cache_dir)


# What roundup keeps at the top of a cache folder (and the temporary files beside them):
# a folder holding anything else, and no tag of roundup's, is not one it made.
_OURS = frozenset({CACHEDIR_TAG, GITIGNORE, PARSED, TEMPLATES, OUTPUTS, "preview",
                   "websub.json", "links.json"})  # fmt: skip
_OURS_TEMPORARY = (".websub.json.", ".links.json.", "search-", f"{TEMPLATES}.")


def check_ours(cache: Path) -> None:
    """Refuse a cache folder that holds files roundup did not make, or the home folder:
    its tag tells backup tools to skip it and says everything in it may be deleted, and
    roundup clears what it does not know in it (`--cache-dir ~` tagged the home folder
    for backups to skip, and a file of the user's in a `parsed/` there was deleted)."""
    shown = display_path(Path(os.path.normpath(cache)), Path.cwd())
    if os.path.realpath(cache) == os.path.realpath(Path.home()):
        raise OutputError(
            f"refusing to use {shown} as the cache folder: it is your home folder; choose a "
            "folder of its own (the default is .roundup-cache/)"
        )
    try:
        names = os.listdir(cache)
    except OSError:
        return  # none yet; or not a folder, or unreadable: the first write says so
    if _tagged(cache):
        return
    foreign = sorted(n for n in names if n not in _OURS and not n.startswith(_OURS_TEMPORARY))
    if foreign:
        more = len(foreign) - 3
        listed = ", ".join(foreign[:3]) + (f" and {more} more" if more > 0 else "")
        raise OutputError(
            f"refusing to use {shown} as the cache folder: it holds files roundup did not make "
            f"({listed}), and anything in a cache folder may be deleted; choose an empty or new "
            "folder (the default is .roundup-cache/)"
        )


def _tagged(cache: Path) -> bool:
    try:
        return (cache / CACHEDIR_TAG).read_text("ascii", "replace") == _TAG_TEXT
    except OSError:
        return False


def check_apart(cache: Path, output: Path, sources: dict[str, Path] | None = None) -> None:
    """Refuse a cache folder inside the output folder (it would be published) or around it,
    and one inside (but for a hidden folder, which no scan reads) or around a folder of the
    site's sources (`sources`, by what each is): roundup's state does not belong among the
    curator's files, and the tag that marks a cache folder for backup tools to skip must
    never cover them."""
    cache_real, output_real = os.path.realpath(cache), os.path.realpath(output)
    for name, folder in (sources or {}).items():
        real = os.path.realpath(folder)
        if cache_real == real:
            where = "is"
        elif Path(cache_real).is_relative_to(real):
            if any(part.startswith(".") for part in Path(cache_real).relative_to(real).parts):
                continue  # hidden, as .roundup-cache/ in a content folder that is the site's
            where = "is inside"
        elif Path(real).is_relative_to(cache_real):
            where = "holds"
        else:
            continue
        here = Path.cwd()
        raise OutputError(
            f"the cache folder {display_path(cache, here)} {where} the {name} folder "
            f"{display_path(folder, here)}; keep roundup's state apart from the site's files "
            "(the default is .roundup-cache/)"
        )
    if cache_real == output_real:
        raise OutputError(
            f"{output} is the cache folder, roundup's private state; build into a folder of "
            "its own, such as output/"
        )
    if Path(cache_real).is_relative_to(output_real):
        raise OutputError(
            f"the cache folder {cache} is inside the output folder {output}, which gets "
            "published; keep it outside (the default is .roundup-cache/ beside the config)"
        )
    if Path(output_real).is_relative_to(cache_real):
        raise OutputError(f"the output folder {output} is inside the cache folder {cache}")
