"""Compiled templates kept in the cache folder, so an unchanged theme is not compiled again."""

from __future__ import annotations

import logging
import marshal
import os
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

from roundup.read.cache import code_digest

log = logging.getLogger(__name__)


class TemplateCache(jinja2.BytecodeCache):
    """Jinja's compiled code of each template, by name, file and source checksum.

    Compiling the ~30 templates costs ~0.1 s, a good part of a build after one edit. Jinja
    checks each entry against its template's source; the salt covers roundup's code and
    Jinja's version, and the bytecode itself carries Python's. Compiled code runs when it is
    loaded, so the file lives only in the cache folder and only its owner may read or write it.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.salt = f"{code_digest()}|{jinja2.__version__}"
        self.old: dict[str, bytes] = self._read()
        self.new: dict[str, bytes] = {}

    def _read(self) -> dict[str, bytes]:
        if self.path is None:
            return {}
        try:
            if self.path.stat().st_mode & 0o077:
                log.warning("compiled templates in %s are open to others; ignored", self.path)
                return {}
            salt, entries = marshal.loads(self.path.read_bytes())
        except FileNotFoundError:
            return {}
        except Exception as error:  # a damaged cache only costs compiling again
            log.warning("compiled templates in %s ignored: %s", self.path, error)
            return {}
        return entries if salt == self.salt and isinstance(entries, dict) else {}

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self.old.get(bucket.key)
        if isinstance(data, bytes):
            bucket.bytecode_from_string(data)
            if bucket.code is not None:  # still the template's source
                self.new[bucket.key] = data

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.new[bucket.key] = bucket.bytecode_to_string()

    def changed(self) -> bool:
        return self.new != self.old

    def save(self) -> None:
        """Write the compiled templates (owner-only) when they changed; failing costs nothing."""
        if self.path is None or not self.changed():
            return
        data = marshal.dumps((self.salt, dict(sorted(self.new.items()))))
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            os.replace(temporary, self.path)
        except OSError as error:
            log.warning("compiled templates not saved: %s", error.strerror)
