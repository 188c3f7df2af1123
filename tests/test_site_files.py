"""A site's TOML files (the `--policy` file, the service settings, the web settings) are judged by
one function, `igcds.knowledge.policy.site_table`: the same errors, naming the file and the key,
whichever shell reads them; `igcds --policy` exits 2 with one line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from igcds.domain.errors import InputError, PolicyError
from igcds.hooks import settings as service_settings
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import policy_from_toml, site_table
from igcds.web import settings as web_settings
from tests.conftest import run_igcds
from tests.fixtures import builder as b

NOT_UTF8 = b'public_base_url = "caf\xe9"\n'


def test_site_table_reads_toml_and_names_an_unknown_key() -> None:
    assert site_table(b'a = 1\n[b]\nc = "d"\n', "site.toml", {"a", "b"}) == {"a": 1, "b": {"c": "d"}}
    with pytest.raises(InputError, match=r"^site\.toml zeta: unknown setting$"):
        site_table(b"a = 1\nzeta = 2\n", "site.toml", {"a"})
    with pytest.raises(InputError, match=r"^site\.toml: not TOML \("):
        site_table(b"a = \n", "site.toml")
    with pytest.raises(InputError, match=r"^site\.toml: not TOML \(.*utf-8"):
        site_table(NOT_UTF8, "site.toml")


def test_policy_from_toml_checks_every_key(kb: KnowledgeBase) -> None:
    assert policy_from_toml(kb.policy, b"trough_target_mg_dl = 700\n", "p.toml").trough.trough_target_mg_dl == 700
    with pytest.raises(PolicyError, match="policy trough_target: unknown policy key"):
        policy_from_toml(kb.policy, b"trough_target = 700\n", "p.toml")
    with pytest.raises(InputError, match=r"^p\.toml: not a TOML policy file"):
        policy_from_toml(kb.policy, b"trough_target_mg_dl = \n", "p.toml")


def _service(path: Path) -> Any:
    return service_settings.load(path, insecure_dev=True)


@pytest.mark.parametrize("load", [_service, web_settings.load], ids=["service", "web"])
def test_settings_files_are_judged_alike(tmp_path: Path, load: Callable[[Path], Any]) -> None:
    """Before the shared reader, a file that was not UTF-8 was an internal error in both servers."""
    path = tmp_path / "settings.toml"
    path.write_bytes(NOT_UTF8)
    with pytest.raises(InputError, match=r"settings\.toml: not TOML"):
        load(path)
    path.write_text("no_such_setting = 1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"settings\.toml no_such_setting: unknown setting"):
        load(path)
    with pytest.raises(InputError, match=r"missing\.toml: cannot read"):
        load(tmp_path / "missing.toml")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"unknown_key = 1\n", "policy unknown_key: unknown policy key"),
        (NOT_UTF8, "site.toml: not a TOML policy file"),
    ],
)
def test_a_bad_policy_file_is_one_line_and_exit_2(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "site.toml"
    path.write_bytes(content)
    bundle = b.bundle(b.patient("p1", "female", "1990-01-01"), b.ig("igm-1", "igm", 20, "2026-01-01"))
    done = run_igcds("assess", "-", "--policy", str(path), stdin=json.dumps(bundle))
    assert (done.code, done.out) == (2, "")
    assert done.err.count("\n") == 1
    assert message in done.err
