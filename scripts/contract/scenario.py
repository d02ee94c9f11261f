"""A scenario written only against the client generated from openapi/openapi.json.

One household from claims to a paid benefit (claims imported and posted, the benefit calculated
and decided, a one-time registration, a payment run, its payment, notice and transfer file), then
a receivable from assessment to its collection, and a report as JSON and CSV. Every call goes
through the generated functions and models; a wrong path, field or enum value in the contract
fails here.

Usage: python scenario.py BASE_URL TOKEN
"""

import io
import json
import sys

from hokensha_client import AuthenticatedClient
from hokensha_client.api.benefits import create_benefit_calculation, decide_benefit_calculation
from hokensha_client.api.claims import create_claim, import_claims, list_claims
from hokensha_client.api.households import create_household, create_member, find_members, get_household
from hokensha_client.api.payments import (
    create_payment_run,
    create_registration,
    get_payment_notice,
    get_payment_run,
    get_transfer_file,
    list_payment_runs,
    list_payments,
    list_run_payments,
)
from hokensha_client.api.receivables import create_receivable, get_receivable, list_receivables, record_collection
from hokensha_client.api.statistics import recovery_statistics
from hokensha_client.models import (
    CalculationRequest,
    ClaimInput,
    NewCollection,
    NewHousehold,
    NewMember,
    NewReceivable,
    NewRegistration,
    OutputFormat,
    PaymentRunRequest,
    Problem,
    ReceivableStatus,
)
from hokensha_client.types import File

MONTH = "2025-09"


def ok(response, status):
    """The parsed answer of a call that must answer `status`."""
    if response.status_code != status:
        raise SystemExit(f"expected {status}, got {response.status_code}: {response.content[:500]!r}")
    if isinstance(response.parsed, Problem):
        raise SystemExit(f"a problem where a resource was expected: {response.parsed}")
    return response.parsed


def main(base_url: str, token: str) -> None:
    client = AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True)

    # A household (世帯) with its head, 70-74 category 一般 and under-70 category ウ.
    household = ok(
        create_household.sync_detailed(
            client=client,
            idempotency_key="scenario-household",
            body=NewHousehold.from_dict(
                {
                    "household_number": "S-0001",
                    "head_name": "山田 太郎",
                    "address": {"postal_code": "100-0001", "prefecture": "東京都", "city": "千代田区", "line": "千代田1-1"},
                    "income_categories": [{"valid_from": "2025-04-01", "under70": "u", "age70to74": None}],
                }
            ),
        ),
        201,
    )
    head = ok(
        create_member.sync_detailed(
            household.id,
            client=client,
            body=NewMember.from_dict(
                {
                    "insured_number": {"symbol": "東1", "number": "9001", "branch": "00"},
                    "name": "山田 太郎",
                    "name_kana": "ヤマダ タロウ",
                    "birth_date": "1980-05-01",
                    "sex": "male",
                    "relationship": "head",
                    "acquired_on": "2020-04-01",
                }
            ),
        ),
        201,
    )
    found = ok(find_members.sync_detailed(client=client, insured_number="東1-9001-00"), 200)
    assert [m.id for m in found.items] == [head.id], found

    # Claims: one imported as NDJSON, one posted.
    line = {
        "claim_number": "S-R-1",
        "member_id": head.id,
        "service_month": MONTH,
        "provider": {"code": "1312345678", "name": "千代田病院"},
        "kind": "medical",
        "setting": "inpatient",
        "total_cost": 1_000_000,
        "copayment": 300_000,
    }
    report = ok(
        import_claims.sync_detailed(
            client=client,
            body=File(payload=io.BytesIO((json.dumps(line, ensure_ascii=False) + "\n").encode())),
        ),
        200,
    )
    assert report.to_dict().get("errors") in ([], None), report.to_dict()
    second = dict(line, claim_number="S-R-2", setting="outpatient", total_cost=20_000, copayment=6_000)
    ok(create_claim.sync_detailed(client=client, body=ClaimInput.from_dict(second)), 201)
    claims = ok(list_claims.sync_detailed(client=client, household_id=household.id), 200)
    assert len(claims.items) == 2, claims

    # The benefit (高額療養費): calculated, then decided.
    determination = ok(
        create_benefit_calculation.sync_detailed(
            client=client,
            body=CalculationRequest.from_dict({"household_id": household.id, "service_month": MONTH}),
        ),
        201,
    )
    assert determination.total_benefit > 0, determination
    decided = ok(decide_benefit_calculation.sync_detailed(determination.id, client=client), 200)
    assert decided.status.value == "decided", decided.status

    # A one-time registration of the bank account, then the month's payment run.
    ok(
        create_registration.sync_detailed(
            client=client,
            body=NewRegistration.from_dict(
                {
                    "household_id": household.id,
                    "applicant_member_id": head.id,
                    "applied_on": "2025-10-01",
                    "bank_account": {
                        "bank_code": "0001",
                        "branch_code": "123",
                        "account_type": "ordinary",
                        "account_number": "1234567",
                        "holder_kana": "ヤマダ タロウ",
                    },
                    "offset_consent": False,
                }
            ),
        ),
        201,
    )
    run = ok(
        create_payment_run.sync_detailed(
            client=client,
            idempotency_key="scenario-run",
            body=PaymentRunRequest.from_dict({"service_month": MONTH, "transfer_date": "2025-12-15"}),
        ),
        201,
    )
    assert run.status.value == "completed" and run.payment_count == 1, run
    assert ok(get_payment_run.sync_detailed(run.id, client=client), 200).id == run.id
    listed = ok(list_payment_runs.sync_detailed(client=client, service_month=MONTH), 200)
    assert [r.id for r in listed.items] == [run.id], listed
    payments = ok(list_run_payments.sync_detailed(run.id, client=client), 200).items
    assert len(payments) == 1 and payments[0].net_amount == determination.total_benefit, payments
    by_household = ok(list_payments.sync_detailed(client=client, household_id=household.id), 200)
    assert [p.id for p in by_household.items] == [payments[0].id]
    notice = ok(get_payment_notice.sync_detailed(payments[0].id, client=client), 200)
    assert notice.to_dict()["payment_id"] == payments[0].id if "payment_id" in notice.to_dict() else True
    transfer = ok(get_transfer_file.sync_detailed(run.id, client=client), 200)
    data = transfer.payload.read()
    assert len(data) % 122 == 0 and len(data) // 122 == 4, len(data)  # header, 1 record, trailer, end

    # A receivable (債権) from assessment to collection.
    receivable = ok(
        create_receivable.sync_detailed(
            client=client,
            idempotency_key="scenario-receivable",
            body=NewReceivable.from_dict(
                {
                    "kind": "overpayment_refund",
                    "reason": "ineligible_visit",
                    "debtor": {"kind": "person", "name": "山田 太郎", "member_id": head.id},
                    "assessed_on": "2025-10-01",
                    "amount": 12_345,
                    "due_on": "2025-10-31",
                }
            ),
        ),
        201,
    )
    assert receivable.status.value == "open", receivable.status
    collected = ok(
        record_collection.sync_detailed(
            receivable.id,
            client=client,
            idempotency_key="scenario-collection",
            body=NewCollection.from_dict({"amount": 12_345, "received_on": "2025-10-20", "channel": "bank_transfer"}),
        ),
        201,
    )
    assert collected.status.value == "collected", collected.status
    again = ok(get_receivable.sync_detailed(receivable.id, client=client), 200)
    assert again.status.value == "collected" and again.balance == 0, again
    mine = ok(list_receivables.sync_detailed(client=client, status=ReceivableStatus.COLLECTED), 200)
    assert receivable.id in [r.id for r in mine.items]

    # A report as JSON, then as CSV with a BOM.
    table = ok(recovery_statistics.sync_detailed(client=client, fiscal_year=2025), 200)
    assert table.fiscal_year == 2025
    # The generated function reads every 200 as JSON; CSV is read with the client's own transport.
    csv = client.get_httpx_client().get(
        "/v1/statistics/recovery",
        params={"fiscal_year": 2025, "format": OutputFormat.CSV.value, "bom": "true"},
    )
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv"), csv
    assert csv.content.startswith(b"\xef\xbb\xbf" + b"fiscal_year,"), csv.content[:40]
    assert ok(get_household.sync_detailed(household.id, client=client), 200).household_number == "S-0001"
    print("scenario: a household from claims to a paid benefit, a receivable to its collection: ok")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
