"""Citation links a clinician can trust (issue 9 item 13), the audit trail of where each text was
read, and the evidence data the issue-9 rules rest on (label contraindications and IgA content,
sucrose-stabilised products, recommendations declared to fire on a missing fact)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from igcds.domain.errors import KnowledgeError
from igcds.knowledge import citation_hosts, loader
from igcds.knowledge.loader import KnowledgeBase

DATA = Path(loader.__file__).parent / "data"


def files_with(ref_id: str, **changes: Any) -> dict[str, Any]:
    files = {name: yaml.safe_load((DATA / name).read_text(encoding="utf-8")) for name in loader.DATA_FILES}
    files = copy.deepcopy(files)
    entry = next(r for r in files["bibliography.yaml"]["references"] if r["id"] == ref_id)
    entry.update(changes)
    return files


def test_the_knowledge_check_reports_no_non_canonical_link(kb: KnowledgeBase) -> None:
    assert citation_hosts.non_canonical(kb) == []


def test_every_link_is_https_to_an_allowlisted_host(kb: KnowledgeBase) -> None:
    allowed = set(citation_hosts.CANONICAL_HOSTS) | set(citation_hosts.SECONDARY_HOSTS)
    for ref in kb.references.values():
        parts = urlsplit(ref.url)
        assert parts.scheme == "https", ref.id
        assert parts.hostname in allowed, (ref.id, parts.hostname)


@pytest.mark.parametrize(
    "url",
    [
        "http://47.251.13.51:8081/32417999",  # a bare IP address (a PubMed mirror)
        "https://studylib.net/doc/18773312/guidance-for-people-with-severely-weakened-immune-systems",
        "https://focusjbz.net/thoughts/1052",  # a personal domain
        "http://www.cdc.gov/mmwr/preview/mmwrhtml/mm4824a3.htm",  # the right host, but not https
    ],
)
def test_a_copy_or_a_mirror_fails_the_knowledge_load(url: str) -> None:
    with pytest.raises(KnowledgeError, match=r"lee-2020 url .* is not a canonical record"):
        loader.build(files_with("lee-2020", url=url), "test")


def test_a_secondary_publisher_is_accepted_only_for_a_secondary_source() -> None:
    drugs_com = "https://www.drugs.com/ppa/immune-globulin.html"
    with pytest.raises(KnowledgeError, match="privigen-label"):
        loader.build(files_with("privigen-label", url=drugs_com), "test")
    built = loader.build(files_with("privigen-label", url=drugs_com, kind="secondary"), "test")
    assert built.references["privigen-label"].kind == "secondary"


def test_where_the_text_was_read_is_kept_when_the_link_moved_to_the_canonical_record(kb: KnowledgeBase) -> None:
    lee = kb.references["lee-2020"]
    assert lee.url == "https://doi.org/10.1007/s10875-020-00788-5"
    assert lee.read_at == ["http://47.251.13.51:8081/32417999"]
    crypto = kb.references["epa-cdc-cryptosporidium-1999"]
    assert urlsplit(crypto.url).hostname == "search.epa.gov"
    assert any("studylib.net" in place for place in crypto.read_at)


def test_a_link_built_from_an_identifier_uses_that_identifier(kb: KnowledgeBase) -> None:
    for ref in kb.references.values():
        host = urlsplit(ref.url).hostname
        if host == "doi.org":
            assert urlsplit(ref.url).path.startswith("/10."), ref.id
            assert ref.doi is None or ref.url == f"https://doi.org/{ref.doi}", ref.id
        if host == "pmc.ncbi.nlm.nih.gov":
            assert ref.pmcid is not None, ref.id
            assert ref.pmcid in ref.url, ref.id


def test_secondary_sources_are_marked_and_never_called_verified_from_the_primary(kb: KnowledgeBase) -> None:
    secondary = {ref.id for ref in kb.references.values() if ref.kind == "secondary"}
    assert {"hussain-2018", "medscape-xhigm", "drugscom-immune-globulin-dosage", "merck-manual-thi"} <= secondary
    for ref_id in secondary:
        host = urlsplit(kb.references[ref_id].url).hostname
        assert host in citation_hosts.SECONDARY_HOSTS or host in citation_hosts.CANONICAL_HOSTS, ref_id


# --- evidence data for the issue-9 rules -------------------------------------------------------------


def test_every_label_contraindication_is_cited_or_said_to_be_unread(kb: KnowledgeBase) -> None:
    for product in kb.products.values():
        if product.contraindications:
            cited = product.sources.get("contraindications", [])
            assert cited, product.id
            for ref_id in cited:
                assert kb.references[ref_id].verification in {"verified", "verified-secondary"}, product.id
        else:
            assert "contraindications" in product.unverified, product.id


def test_anti_iga_contraindication_is_carried_where_the_label_text_was_read(kb: KnowledgeBase) -> None:
    for product_id in ("gammagard-liquid", "privigen", "octagam-5", "cuvitru", "xembify"):
        text = " ".join(kb.products[product_id].contraindications)
        assert "antibodies" in text, product_id
        assert "IgA" in text, product_id


def test_the_lowest_iga_iv_product_is_gammagard_sd(kb: KnowledgeBase) -> None:
    iv_with_iga = [p for p in kb.products.values() if "IV" in p.routes and p.iga_ug_per_ml is not None]
    lowest = min(iv_with_iga, key=lambda p: p.iga_ug_per_ml or 0.0)
    assert (lowest.id, lowest.iga_ug_per_ml, lowest.iga_qualifier) == ("gammagard-sd", 1, "less-than")


def test_carimune_is_recognised_by_name_as_sucrose_stabilised(kb: KnowledgeBase) -> None:
    by_name = {name: product for product in kb.products.values() for name in product.names}
    carimune = by_name["carimune"]
    assert carimune.contains_sucrose is True
    assert carimune.iv is None, "no infusion-rate plan for a product whose rates were read only secondarily"
    assert {"carimune-nf-label", "fda-igiv-renal-1999"} <= set(carimune.sources["contains_sucrose"])


def test_only_recommendations_decided_by_a_missing_fact_are_declared_to_fire_on_absence(kb: KnowledgeBase) -> None:
    declared = {rec.id for rec in kb.recommendations.values() if rec.fires_on_absence}
    assert declared == {
        "WU-IG-01", "WU-IGGA-01", "WU-SUB-01", "WU-LYM-01", "WU-SEC-01", "WU-GEN-01", "WU-VAC-01", "SIGMD-OBS-01",
    }  # fmt: skip
    for rec_id in declared:
        rationale = kb.recommendations[rec_id].rationale.lower()
        assert any(word in rationale for word in ("no ", "missing", "without", "does not meet")), rec_id


def test_measles_and_vial_rounding_evidence_is_in_the_bibliography(kb: KnowledgeBase) -> None:
    acip = kb.references["acip-mmr-2013"]
    assert "200 mg/kg" in acip.verified_content
    assert "400 mg/kg" in acip.verified_content
    assert urlsplit(acip.url).hostname == "www.cdc.gov"
    assert "within 10%" in kb.references["hopa-dose-rounding-2018"].verified_content
