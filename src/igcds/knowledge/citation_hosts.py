"""Citation links a clinician can trust: every bibliography `url` must point to the canonical record
of the cited work (DOI, PubMed/PMC, NCBI Bookshelf, DailyMed, a regulator, CDC, the publisher or the
society), never to a mirror, a document-sharing site, a personal domain or a bare IP address. Where
the text was actually read is kept apart, in `read_at`.

A secondary source (a drug monograph, a point-of-care summary, a preprint) may link to its own
publisher, listed separately, only when the bibliography marks it `kind: secondary`."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from igcds.domain.errors import KnowledgeError
from igcds.knowledge import schema

if TYPE_CHECKING:
    from igcds.knowledge.loader import KnowledgeBase

# host -> whose canonical record it is
CANONICAL_HOSTS: dict[str, str] = {
    "doi.org": "DOI resolver",
    "pubmed.ncbi.nlm.nih.gov": "PubMed (NLM)",
    "pmc.ncbi.nlm.nih.gov": "PubMed Central (NLM)",
    "www.ncbi.nlm.nih.gov": "NCBI Bookshelf (GeneReviews)",
    "dailymed.nlm.nih.gov": "DailyMed (NLM): US prescribing information",
    "www.fda.gov": "US Food and Drug Administration",
    "www.cdc.gov": "US Centers for Disease Control and Prevention (MMWR, ACIP)",
    "stacks.cdc.gov": "CDC Stacks (CDC's archive of its own publications)",
    "aidsinfo.nih.gov": "US National Institutes of Health (OI guidelines)",
    "search.epa.gov": "US Environmental Protection Agency",
    "ec.europa.eu": "European Commission community register (EU product information)",
    "www.ema.europa.eu": "European Medicines Agency (EPAR, EU product information)",
    "www.tga.gov.au": "Therapeutic Goods Administration (Australia): ARTG",
    "www.criteria.blood.gov.au": "National Blood Authority (Australia): Ig criteria",
    "nba.gov.au": "National Blood Authority (Australia)",
    "transfusionontario.org": "Ontario Regional Blood Coordinating Network",
    "ivig.transfusionontario.org": "Ontario Regional Blood Coordinating Network",
    "primaryimmune.org": "Immune Deficiency Foundation (society)",
    "www.esid.org": "European Society for Immunodeficiencies (society)",
    "nyaspubs.onlinelibrary.wiley.com": "Annals of the New York Academy of Sciences (Wiley, publisher)",
    "gosh.nhs.uk": "Great Ormond Street Hospital (NHS): its own family leaflet",
    "www.uhnm.nhs.uk": "University Hospitals of North Midlands (NHS): its own test page",
    "www.mayomedicallaboratories.com": "Mayo Clinic Laboratories: its own test catalogue",
    "www.aafp.org": "American Family Physician (publisher)",
    "www.cmaj.ca": "CMAJ (publisher)",
    "www.ajmc.com": "American Journal of Managed Care (publisher)",
    "www.jiaci.org": "J Investig Allergol Clin Immunol (publisher)",
    "elsevier.es": "Elsevier Espana: Allergologia et Immunopathologia (publisher)",
    # Manufacturers publish their own prescribing-information pages for health professionals.
    "www.gammagard.com": "Takeda: Gammagard Liquid HCP pages (label holder)",
    "gammagard.com": "Takeda: Gammagard Liquid HCP pages (label holder)",
    "www.cuvitru.com": "Takeda: Cuvitru HCP pages (label holder)",
    "www.cutaquigus.com": "Pfizer/Octapharma: Cutaquig HCP pages (label holder)",
}

# Publishers of secondary sources: allowed only for `kind: secondary`.
SECONDARY_HOSTS: dict[str, str] = {
    "emedicine.medscape.com": "Medscape / eMedicine (point-of-care summary)",
    "bestpractice.bmj.com": "BMJ Best Practice (point-of-care summary)",
    "www.uptodate.com": "UpToDate (point-of-care summary)",
    "www.drugs.com": "Drugs.com (drug monographs)",
    "www.empr.com": "MPR (drug monographs)",
    "www.mims.com": "MIMS (drug monographs)",
    "www.merckmanuals.com": "Merck (MSD) Manual Professional Version (reference summary)",
    "www.authorea.com": "Authorea (preprint server)",
    "www.bindingsite.com.cn": "The Binding Site (assay manufacturer)",
    "www.diplomatpharmacy.com": "Diplomat Specialty Infusion (product sheet)",
    "ispid.org.in": "Indian Society for Primary Immune Deficiency (reproduces the ESID registry definitions)",
}


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def is_canonical(reference: schema.Reference) -> bool:
    """An https link to an allowlisted host, never a bare IP address."""
    parts = urlsplit(reference.url)
    host = _host(reference.url)
    if parts.scheme != "https" or not host:
        return False
    try:
        ipaddress.ip_address(host)
        return False
    except ValueError:
        pass
    if host in CANONICAL_HOSTS:
        return True
    return reference.kind == "secondary" and host in SECONDARY_HOSTS


def non_canonical_ids(references: Iterable[schema.Reference]) -> list[str]:
    return [reference.id for reference in references if not is_canonical(reference)]


def non_canonical(kb: KnowledgeBase) -> list[str]:
    """Bibliography ids whose link is not a canonical record (the `igcds knowledge` count)."""
    return non_canonical_ids(kb.references.values())


def check(references: Iterable[schema.Reference]) -> None:
    """Fail the knowledge load on the first link a clinician should not be shown."""
    for reference in references:
        if not is_canonical(reference):
            raise KnowledgeError(
                f"bibliography.yaml: {reference.id} url {reference.url!r} is not a canonical record "
                f"(allowlist in igcds.knowledge.citation_hosts; keep copies in read_at)"
            )
