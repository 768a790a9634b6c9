"""``greenrate ratings export``: what the records hold about one borrower or merchant of a tenant, as one
JSON document, for a subject-access request (docs/operations.md, Personal information and data residency).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click
import structlog
from sqlalchemy.exc import SQLAlchemyError

from schemas.fields import utc_iso
from service import logging as json_logging
from service import model_cli
from service.commands import command_settings, database, database_error

_log = structlog.get_logger("greenrate.subject_access")

#: What the export cannot search, said in the document itself so that the copy owed is not taken for all
NOT_SEARCHED = (
    "portfolio uploads and results (GREENRATE_PORTFOLIO_DIR): search the files of the tenant's jobs for the "
    "borrower_id; a job's summary in the database names no borrower once its files are deleted",
    "ratings erased from the records: only those asked for by id are found (an erasure keeps no external_id, "
    "merchant id nor name)",
    "logs, Redis and backups: see docs/operations.md, Personal information and data residency",
)


@click.command("export")
@click.argument("rating_ids", nargs=-1)
@click.option("--tenant", required=True, help="The tenant (the bank) answering the request; the merchant "
              "page's ratings are under _public.")
@click.option("--external-id", "external_ids", multiple=True, help="A company.external_id the bank rated it "
              "under (repeat for several).")
@click.option("--merchant-id", "merchant_ids", multiple=True, help="A merchant id: its ratings, profile and "
              "keys (repeat for several).")
@click.option("--company-name", "company_names", multiple=True, help="A company.name exactly as given "
              "(without surrounding spaces): the merchant page's ratings of an owner who kept no link.")
def export(rating_ids: tuple[str, ...], tenant: str, external_ids: tuple[str, ...],
           merchant_ids: tuple[str, ...], company_names: tuple[str, ...]) -> None:
    """Print, as one JSON document, every record of TENANT that names one of the external or merchant
    ids given, the ratings whose input gives one of the company names, and the ratings RATING_IDS: each
    rating with the input it was computed from and its body as recorded, whoever it was issued for; the
    merchants' profiles and keys (labels, dates; never a key's hash); and the erasures of the ids given.

    For a subject-access request (PIPL Art. 45, GDPR Art. 15). The document holds personal information:
    write it where the request's answer is kept, not to a shared log. The command logs that an export was
    made (tenant, counts, the OS account), never the ids or names asked for. Exit 1 when nothing was found.
    """
    from service.records.subject_access import subject_records

    names = tuple(dict.fromkeys(name.strip() for name in company_names if name.strip()))
    if not (rating_ids or external_ids or merchant_ids or names):
        raise click.UsageError("name at least one RATING_ID, --external-id, --merchant-id or --company-name")
    settings = command_settings()
    json_logging.configure(settings.log_level)  # the event on stderr as JSON: stdout is the document
    try:
        with database(settings) as engine:
            found = subject_records(engine, tenant, external_ids=external_ids, merchant_ids=merchant_ids,
                                    rating_ids=rating_ids, company_names=names)
    except SQLAlchemyError as exc:
        raise database_error(exc) from None
    counts = {
        "ratings": len(found.ratings), "merchant_profiles": len(found.merchant_profiles),
        "api_keys": len(found.api_keys), "erased_ratings": len(found.erased_ratings),
    }
    document = {
        "exported_at": utc_iso(datetime.now(UTC)),
        "tenant": tenant,
        "asked_for": {"external_ids": sorted(external_ids), "merchant_ids": sorted(merchant_ids),
                      "rating_ids": sorted(rating_ids), "company_names": sorted(names)},
        "ratings": found.ratings,
        "merchant_profiles": found.merchant_profiles,
        "api_keys": found.api_keys,
        "erased_ratings": found.erased_ratings,
        "not_found": found.not_found,
        "not_searched": list(NOT_SEARCHED),
    }
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    # WARNING, as an erasure: an access to personal information leaves a trace at any log level
    _log.warning("subject_data_exported", tenant=tenant, actor=model_cli.cli_actor(), **counts)
    if not any(counts.values()):
        raise click.ClickException(f"nothing of tenant {tenant} names the ids given")
