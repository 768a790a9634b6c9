"""The test session refuses compiled engine modules built from other source, and only those.

tests/conftest.py compared modification times: a ``units.py`` newer than its extension refused the session
even when its content was what had been compiled (a checkout or a copy sets the time), while
:func:`rating_model.stale_compiled_modules` compares content (a code review).
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import partial
from pathlib import Path

import pytest

import tests.conftest as conftest
from rating_model import stale_compiled_modules


def test_the_session_refuses_modules_built_from_other_content_not_older_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "units.py"
    source.write_text("FACTOR = 1\n")
    extension = tmp_path / "units.cpython-311-x86_64-linux-gnu.so"
    extension.write_bytes(b"")
    record = tmp_path / "compiled_sources.json"
    record.write_text(json.dumps({"units": hashlib.sha256(source.read_bytes()).hexdigest()}))
    monkeypatch.setattr(conftest, "stale_compiled_modules", partial(stale_compiled_modules, tmp_path, record))

    os.utime(extension, (1_000_000_000, 1_000_000_000))  # built long before the source's time
    conftest._refuse_stale_compiled_modules()  # the same content: nothing to refuse

    source.write_text("FACTOR = 2\n")
    with pytest.raises(pytest.exit.Exception) as refused:
        conftest._refuse_stale_compiled_modules()
    assert refused.value.returncode == 4
    assert str(refused.value.msg).startswith("rating_model/units.py changed after it was compiled")
