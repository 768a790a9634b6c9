"""A key's label is one line of plain text: the API refuses control and bidirectional-text characters, and
``greenrate keys list`` shows those of labels stored otherwise escaped, so no label forges or hides a row."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from service.auth import generate_key
from service.cli import main
from service.records import api_keys
from tests.conftest import AppFactory, bearer, create_key, services_of

FORGED_ROW = "\n   99  gr_0perat0r  ops                  analyst   -                2026-01-01 00:00:00  -"
HOSTILE_LABELS = [
    "two\nlines",
    "carriage\rreturn",
    "tab\there",
    "\x1b[1A\x1b[2K\x1b[8m",  # cursor up, erase the line, hide what follows
    "bell\x07",
    "del\x7f",
    "c1 next line\x85",
    "c1 csi\x9b2K",
    FORGED_ROW,
    "abc\u202egnp.exe",  # right-to-left override
    "\u202aembedding\u202c",
    "\u2066isolate\u2069",
    "\u2067rtl isolate\u2069",
    "\u2068first strong\u2069",
    "mark\u200e",
    "mark\u200f",
    "arabic letter mark\u061c",
]


@pytest.fixture
def admin(app: Flask) -> str:
    return create_key(app, "bank-a", "admin")


@pytest.mark.parametrize("label", HOSTILE_LABELS)
def test_the_api_refuses_control_and_bidi_characters_in_a_label(
    app: Flask, client: FlaskClient, admin: str, label: str
) -> None:
    response = client.post("/v1/keys", json={"role": "bank", "label": label}, headers=bearer(admin))
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert set(errors) == {"label"}
    assert "control characters" in errors["label"][0] and "bidirectional" in errors["label"][0]
    assert len(api_keys.list_keys(services_of(app).db, include_revoked=True)) == 1  # the admin's only


@pytest.mark.parametrize("label", ["Café Zhōngwén 中文 🙂", "O'Brien & Co. <till 2>", "שלום shop", "a  b"])
def test_plain_text_labels_of_any_script_are_kept(client: FlaskClient, admin: str, label: str) -> None:
    response = client.post("/v1/keys", json={"role": "bank", "label": label}, headers=bearer(admin))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["label"] == label


def test_the_label_rule_is_documented(client: FlaskClient) -> None:
    schema = client.get("/openapi.json").get_json()["components"]["schemas"]["KeyCreate"]
    assert "control characters" in schema["properties"]["label"]["description"]


def test_keys_list_escapes_what_a_stored_label_cannot_print(make_app: AppFactory, tmp_path: Path) -> None:
    """Labels stored before the API refused them, or through ``greenrate keys create``, print escaped."""
    app = make_app()
    db = services_of(app).db
    for label in [*HOSTILE_LABELS, "back\\slash", "plain café"]:
        new = generate_key()
        api_keys.insert_key(
            db, prefix=new.prefix, key_hash=new.key_hash, tenant="bank-a", role="bank", label=label
        )
    env = {"GREENRATE_DATABASE_URL": str(db.url)}
    result = CliRunner().invoke(main, ["keys", "list", "--all"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 + len(HOSTILE_LABELS) + 2  # the header and one line per key: no forged row
    assert all(line.isprintable() for line in lines), [line for line in lines if not line.isprintable()]
    shown = [line.rsplit("  ", 1)[-1] for line in lines[1:]]
    assert r"two\nlines" in shown and r"\x1b[1A\x1b[2K\x1b[8m" in shown
    assert r"abc\u202egnp.exe" in shown and r"arabic letter mark\u061c" in shown
    assert r"back\\slash" in shown and "plain café" in shown  # a literal "\n" cannot pass for an escape
    assert sum(line.endswith(FORGED_ROW.replace("\n", r"\n")) for line in lines) == 1  # inside its own row
