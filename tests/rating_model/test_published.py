"""Published data files are the bytes their version was published with (reproducibility review)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rating_model import published
from rating_model.exceptions import ArtifactError, StandardError


def test_every_packaged_data_file_is_recorded_as_published() -> None:
    on_disk = published.published_files()
    assert set(on_disk) == set(published.recorded()), "run `python -m rating_model.published`"
    for name in on_disk:
        published.verified_bytes(published.DATA_DIR / name, ArtifactError)
    expected = {"standard/greenrate-sme-1.4.yaml", "factors/cn-2024.2/grid.json", "sector_benchmarks.json"}
    assert expected <= set(on_disk)


def test_an_edited_factor_file_or_standard_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The review edited one grid factor of cn-2024.2 in place: the service rated with it under the same
    label. The loaders read through the digest check and refuse it."""
    from rating_model.factors.loader import read_factor_set_files
    from rating_model.standard import load_standard

    edited = {**published.recorded(), "factors/cn-2024.2/grid.json": "0" * 64,
              "standard/greenrate-sme-1.2.yaml": "1" * 64}
    monkeypatch.setattr(published, "recorded", lambda: edited)
    refused = r"factor set cn-2024.2: grid.json: factors/cn-2024.2/grid.json is not the file published"
    with pytest.raises(ArtifactError, match=refused):
        read_factor_set_files("cn-2024.2")
    load_standard.cache_clear()
    try:
        with pytest.raises(StandardError, match="greenrate-sme-1.2.yaml is not the file published"):
            load_standard(published.DATA_DIR / "standard" / "greenrate-sme-1.2.yaml")
    finally:
        load_standard.cache_clear()


def test_an_unrecorded_packaged_file_is_refused_and_a_callers_own_file_is_not(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = {k: v for k, v in published.recorded().items() if k != "sector_benchmarks.json"}
    monkeypatch.setattr(published, "recorded", lambda: missing)
    with pytest.raises(ArtifactError, match="not among the published data files"):
        published.verified_bytes(published.DATA_DIR / "sector_benchmarks.json", ArtifactError)
    own = tmp_path / "standard.yaml"
    shutil.copy(published.DATA_DIR / "standard" / "greenrate-sme-1.4.yaml", own)
    own.write_text(own.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert published.verified_bytes(own, StandardError).endswith(b"# edited\n")


def test_recording_adds_new_files_and_refuses_to_change_a_published_one(tmp_path: Path) -> None:
    (tmp_path / "standard").mkdir()
    (tmp_path / "standard" / "a.yaml").write_text("version: 1\n", encoding="utf-8")
    files, refused = published.record(["standard/a.yaml"], {}, data_dir=tmp_path)
    assert refused == [] and files["standard/a.yaml"] == published.digest(b"version: 1\n")
    (tmp_path / "standard" / "a.yaml").write_text("version: 1\nedited: true\n", encoding="utf-8")
    again, refused = published.record(["standard/a.yaml"], files, data_dir=tmp_path)
    assert refused == ["standard/a.yaml"] and again == files  # the published digest stands
    allowed, refused = published.record(["standard/a.yaml"], files, ["standard/a.yaml"], data_dir=tmp_path)
    assert refused == [] and allowed != files
    assert json.loads(json.dumps(allowed)) == allowed


def test_the_command_reads_its_options_and_records_nothing_for_help_or_a_typo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``python -m rating_model.published --help`` recorded the manifest: the arguments were scanned for
    ``--unreleased`` alone (a newcomer's review)."""
    manifest = tmp_path / "published.json"
    manifest.write_text('{"files": {}}\n', encoding="utf-8")
    monkeypatch.setattr(published, "MANIFEST", manifest)
    for argv, status in ((["--help"], 0), (["--unreleasd", "standard/a.yaml"], 2)):
        with pytest.raises(SystemExit) as stopped:
            published.main(argv)
        assert stopped.value.code == status
        assert manifest.read_text(encoding="utf-8") == '{"files": {}}\n'
    assert "--unreleased PATH" in capsys.readouterr().out
    assert published.main([]) == 0  # no option: records every published file, as before
    assert set(json.loads(manifest.read_text(encoding="utf-8"))["files"]) == set(published.published_files())
