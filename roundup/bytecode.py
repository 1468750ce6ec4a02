"""Compiled templates kept in the state folder, so an unchanged theme is not compiled again."""

from __future__ import annotations

import logging
import marshal
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

from roundup.cache import code_digest

log = logging.getLogger(__name__)

BYTECODE_FILE = "template-code"


class TemplateCache(jinja2.BytecodeCache):
    """Jinja's compiled code of each template, by name, file and source checksum.

    Compiling the ~30 templates costs ~0.1 s, a good part of a build after one edit. Jinja
    checks each entry against its template's source; the salt covers roundup's code (its
    code generator) and Jinja's version, and the bytecode itself carries Python's.
    """

    def __init__(self, state_dir: Path | None) -> None:
        self.path = state_dir / BYTECODE_FILE if state_dir else None
        self.salt = f"{code_digest()}|{jinja2.__version__}"
        self.old: dict[str, bytes] = self._read()
        self.new: dict[str, bytes] = {}

    def _read(self) -> dict[str, bytes]:
        if self.path is None or not self.path.is_file():
            return {}
        try:
            salt, entries = marshal.loads(self.path.read_bytes())
        except Exception as error:  # a damaged cache only costs compiling again
            log.debug("template cache ignored: %s", error)
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

    def data(self) -> bytes:
        return marshal.dumps((self.salt, dict(sorted(self.new.items()))))
