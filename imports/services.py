"""Bringing a treasurer's Excel books in: upload → preview → confirm, all or nothing.

- ``upload`` checks the file is an .xlsx within the size limit, keeps it by its SHA-256 (``imports.storage``) and
  makes a batch in 待确认. Nothing is written to the books.
- ``analyse`` reads the kept file again (rows → vouchers, accounts resolved, every problem with its row and
  column) for the preview page, the command's dry run and the confirmation alike: one reading, one set of rules.
- ``confirm`` writes every voucher of a batch in one transaction, or nothing: the first problem (or a refusal of
  the posting service, e.g. cash below zero) undoes all and says the row. Imported books are posted (记账) as
  history. One audit event records the import (file name, SHA-256, rows).
- ``add_missing_accounts`` creates the 明细科目 a file names and the year lacks, from the preview, in one step.

Twice is refused: a file already imported into the union (by its SHA-256), and any voucher whose fingerprint
(date, 摘要, accounts and amounts of its lines, and which occurrence of that content in its file it is) is
already among the year's imported vouchers — so a second file holding some of the same rows is refused too,
while two identical receipts inside one file stay two receipts.

红字冲销 travels: a voucher of the voucher template whose amounts are all negative and which names the voucher it
cancels (``reader.RED_NOTE``) is imported as a reversal of it (kind reversal, ``reverses`` set), after it — of a
voucher earlier in the same file, or of one already posted in the year's books (looked up per CHUNK in one
query, ``_books_originals``).
"""

import datetime
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from audit import trail as audit
from imports import queries, reader, storage
from imports.accounts import AccountIndex, Missing
from imports.models import ImportBatch, ImportedVoucher
from ledger import services, sql
from ledger.errors import LedgerError
from ledger.models import Account, AccountingYear, AuditEvent, Voucher, voucher_full_no

CHUNK = 500  # vouchers checked for a second import per query, and written per step of the progress bar
LISTED_PROBLEMS = 500  # problems a preview lists (it counts them all)
PAGE = 200  # vouchers a preview page shows

Progress = Callable[[int, int], None]


def _closed_years(union_id: int) -> frozenset[int]:
    return frozenset(
        AccountingYear.objects.filter(union_id=union_id, is_closed=True).values_list("year", flat=True)
    )


@transaction.atomic
def upload(
    *, year: AccountingYear, kind: str, file_name: str, content: bytes | File, user: AbstractBaseUser
) -> ImportBatch:
    """Keep an uploaded workbook for its preview. Refuses (``reader.FileRefused``) what is not an .xlsx within
    ``IMPORT_MAX_BYTES``, a file already imported into this union, and a closed year. Writes no voucher."""
    if kind not in ImportBatch.Kind.values:
        raise LedgerError("请选择导入的类型")
    if isinstance(content, File):  # an upload: never read more than the limit into memory
        size = content.size
        content = content.read(settings.IMPORT_MAX_BYTES + 1) if size <= settings.IMPORT_MAX_BYTES else b""
        reader.check_file(content, max_bytes=settings.IMPORT_MAX_BYTES, size=size)
    reader.check_file(content, max_bytes=settings.IMPORT_MAX_BYTES)
    if year.is_closed:
        raise LedgerError(f"{year.year}年度已结账，不能再导入")
    sha256 = hashlib.sha256(content).hexdigest()
    before = ImportBatch.objects.filter(
        union_id=year.union_id, sha256=sha256, kind=kind, state=ImportBatch.State.DONE
    ).first()
    if before is not None:
        raise reader.FileRefused(
            f"这个文件已于{timezone.localtime(before.created_at):%Y-%m-%d %H:%M}导入过"
            f"（{before.file_name}，{before.voucher_count}张凭证），不能重复导入"
        )
    storage.keep(sha256, content)
    return ImportBatch.objects.create(
        union_id=year.union_id,
        year=year,
        kind=kind,
        file_name=(file_name or "")[:200],
        sha256=sha256,
        size=len(content),
        created_by=user,
    )


def detect_kind(content: bytes) -> str:
    """Which template a workbook follows, by its header: the voucher template or the cash-book one."""
    reader.check_file(content, max_bytes=settings.IMPORT_MAX_BYTES)
    for kind in (ImportBatch.Kind.VOUCHERS, ImportBatch.Kind.CASHBOOK):
        columns, sheet = _template(kind)
        try:
            reader.find_header(reader.sheet_rows(content, sheet=sheet), columns)
        except reader.FileRefused:
            continue
        return kind
    columns, sheet = _template(ImportBatch.Kind.CASHBOOK)
    reader.find_header(reader.sheet_rows(content, sheet=sheet), columns)  # raises with the header's problem
    return ImportBatch.Kind.CASHBOOK


@dataclass
class Analysis:
    """What a batch's file says and what is wrong with it."""

    batch: ImportBatch
    rows: int = 0  # data rows read (blank and 合计 rows not counted)
    voucher_count: int = 0
    good_count: int = 0
    debit_total: Decimal = Decimal("0.00")
    problems: list[reader.Problem] = field(default_factory=list)
    problem_count: int = 0
    vouchers: list[reader.DraftVoucher] = field(default_factory=list)  # the page asked for
    missing: list[Missing] = field(default_factory=list)
    in_date_order: bool = True
    file_problem: str = ""
    opening: list[reader.OpeningRow] = field(default_factory=list)
    reversed_rows: set[int] = field(default_factory=set)  # first rows of the file's vouchers it 红字冲销
    previous_date: datetime.date | None = None

    @property
    def ok(self) -> bool:
        return not self.file_problem and self.problem_count == 0 and self.voucher_count > 0

    @property
    def pages(self) -> int:
        return max(1, -(-self.voucher_count // PAGE))

    def count(self, draft: reader.DraftVoucher) -> None:
        """Count a voucher of the file (in the file's order) and its problems."""
        self.voucher_count += 1
        self.rows += len(draft.rows)
        if draft.ok:
            self.good_count += 1
            self.debit_total += sum((line.debit for line in draft.lines), Decimal("0.00"))
        self.add(draft.problems)
        if draft.reverses_row is not None:
            self.reversed_rows.add(draft.reverses_row)
        if draft.date and self.previous_date and draft.date < self.previous_date:
            self.in_date_order = False
        self.previous_date = draft.date or self.previous_date

    def check_not_empty(self) -> None:
        if not self.file_problem and self.voucher_count == 0 and not self.opening and not self.problem_count:
            self.file_problem = "文件中只有表头，没有可导入的数据行"

    def add(self, problems: Iterable[reader.Problem]) -> None:
        for problem in problems:
            self.problem_count += 1
            if len(self.problems) < LISTED_PROBLEMS:
                self.problems.append(problem)


def _template(kind: str) -> tuple[tuple, str]:
    return {
        ImportBatch.Kind.VOUCHERS: (reader.VOUCHER_COLUMNS, reader.VOUCHER_SHEET),
        ImportBatch.Kind.CASHBOOK: (reader.CASHBOOK_COLUMNS, reader.CASHBOOK_SHEET),
        ImportBatch.Kind.OPENING: (reader.OPENING_COLUMNS, reader.OPENING_SHEET),
    }[kind]


def _fingerprint(union_id: int, content: list, occurrence: int) -> str:
    text = json.dumps([union_id, content, occurrence], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _books_originals(year: AccountingYear, chunk: list[reader.DraftVoucher]) -> None:
    """Set ``reverses`` of the chunk's 红字冲销 of vouchers already in the books, or say why it cannot be.

    One query (none when the chunk has no such reversal): the year's posted vouchers of those months and numbers,
    with their lines and whether they were reversed already."""
    wanted = [draft for draft in chunk if draft.ok and draft.reverses_books]
    if not wanted:
        return
    found = queries.posted_vouchers(year, {draft.reverses_books for draft in wanted})
    for draft in wanted:
        month, number = draft.reverses_books
        name = voucher_full_no(year.year, month, number)
        original = found.get(draft.reverses_books)
        problem = None
        if original is None:
            problem = (
                f"{reader.NEGATIVE}：找不到它冲销的凭证{name}（须在本文件中排在它之前，或已在本年度账中记账）"
            )
        elif original.kind != Voucher.Kind.NORMAL:
            problem = f"凭证{name}不是普通记账凭证，不能冲销"
        elif original.reversed:
            problem = f"凭证{name}已经冲销过，不能再冲销"
        elif draft.date < original.date:
            problem = f"红字冲销的日期不能早于它冲销的凭证{name}（{original.date:%Y-%m-%d}）"
        elif reader.lines_digest(original.lines) != draft.red_digest:
            problem = f"{reader.NEGATIVE}：这张凭证与它冲销的凭证{name}不是逐行相反（须同一科目、同一方向，金额为相反数）"
        if problem:
            draft.problems.append(reader.Problem(draft.first_row, draft.red_column, problem))
        else:
            draft.reverses = Voucher(pk=original.pk, year=year)


def _drafts(batch: ImportBatch, index: AccountIndex) -> Iterator[tuple[reader.DraftVoucher, str]]:
    """The batch's vouchers with their fingerprints, a second import marked as a problem. One query per CHUNK
    (two when the chunk holds a 红字冲销 of a voucher already in the books)."""
    columns, sheet = _template(batch.kind)
    rows = reader.sheet_rows(storage.read(batch.sha256), sheet=sheet)
    header = reader.find_header(rows, columns)
    read = reader.read_vouchers if batch.kind == ImportBatch.Kind.VOUCHERS else reader.read_cashbook
    drafts = read(rows, header, year=batch.year.year, closed_years=_closed_years(batch.union_id), index=index)
    occurrences: dict[bytes, int] = {}
    while True:
        chunk = list(islice(drafts, CHUNK))
        if not chunk:
            return
        _books_originals(batch.year, chunk)
        prints = []
        for draft in chunk:
            key = hashlib.blake2b(
                json.dumps(draft.content(), ensure_ascii=False).encode(), digest_size=16
            ).digest()
            occurrences[key] = occurrences.get(key, 0) + 1
            prints.append(_fingerprint(batch.union_id, draft.content(), occurrences[key]))
        taken = dict(
            ImportedVoucher.objects.filter(year_id=batch.year_id, fingerprint__in=prints).values_list(
                "fingerprint", "batch__file_name"
            )
        )
        for draft, fingerprint in zip(chunk, prints, strict=True):
            if draft.ok and fingerprint in taken:
                draft.problems.append(
                    reader.Problem(
                        draft.first_row,
                        "",
                        f"与已导入的凭证重复（见之前导入的“{taken[fingerprint]}”），不能重复导入",
                    )
                )
            yield draft, fingerprint


def analyse(batch: ImportBatch, *, page: int = 1, index: AccountIndex | None = None) -> Analysis:
    """Read the batch's file and check every row; keep the vouchers of ``page`` (0: none) for the preview.

    Queries: the year's accounts, closed years, one per CHUNK vouchers for fingerprints (and one more for a CHUNK
    holding 红字冲销 of vouchers already in the books) — so constant up to CHUNK vouchers, then more per CHUNK."""
    analysis = Analysis(batch=batch)
    index = index or AccountIndex.for_year(batch.year)
    try:
        if batch.kind == ImportBatch.Kind.OPENING:
            _analyse_opening(batch, index, analysis)
        else:
            first, last = (page - 1) * PAGE, page * PAGE
            for number, (draft, _) in enumerate(_drafts(batch, index)):
                analysis.count(draft)
                if first <= number < last:
                    analysis.vouchers.append(draft)
    except reader.FileRefused as error:
        analysis.file_problem = error.message
    analysis.check_not_empty()
    analysis.missing = sorted(index.missing.values(), key=lambda missing: missing.text)
    return analysis


def _analyse_opening(batch: ImportBatch, index: AccountIndex, analysis: Analysis) -> None:
    columns, sheet = _template(batch.kind)
    rows = reader.sheet_rows(storage.read(batch.sha256), sheet=sheet)
    header = reader.find_header(rows, columns)
    analysis.opening, problems = reader.read_opening(rows, header, index=index)
    analysis.add(problems)
    debit = credit = Decimal("0.00")
    for entry in analysis.opening:
        analysis.rows += 1
        if entry.account.type not in ("asset", "liability", "net_assets"):
            analysis.add(
                [
                    reader.Problem(
                        entry.row, "科目", f"“{entry.account.name}”不是资产、负债或净资产科目，没有期初余额"
                    )
                ]
            )
        debit += entry.debit
        credit += entry.credit
    if analysis.opening and debit != credit:
        analysis.add(
            [
                reader.Problem(
                    analysis.opening[-1].row,
                    "期初借方",
                    f"期初借方合计{debit:,.2f}与期初贷方合计{credit:,.2f}不相等",
                )
            ]
        )
    analysis.voucher_count = 1 if analysis.opening else 0
    analysis.good_count = analysis.voucher_count if not analysis.problem_count else 0
    analysis.debit_total = debit


def _entry(draft: reader.DraftVoucher) -> services.Entry:
    """A checked draft as the posting service takes it: a 红字冲销 (``draft.red``) as a reversal of ``draft.reverses``."""
    return services.Entry(
        kind=Voucher.Kind.REVERSAL if draft.red else Voucher.Kind.NORMAL,
        reverses=draft.reverses,
        date=draft.date,
        summary=draft.summary,
        counterparty=draft.counterparty,
        counterparty_kind=draft.counterparty_kind,
        attachment_count=draft.attachment_count,
        lines=[services.Line(line.account, line.debit, line.credit, line.memo) for line in draft.lines],
    )


def _post_chunk(
    bulk: services.BulkPosting, batch: ImportBatch, chunk: list[tuple[reader.DraftVoucher, str]]
) -> None:
    """Post a chunk of checked drafts through ``bulk`` (the one place the import writes vouchers; every check of a
    hand-entered voucher applies) and note each voucher's fingerprint and first row (``ImportedVoucher``).

    A 红字冲销 of a voucher of the same file gets ``reverses`` = that voucher as posted: from an earlier chunk, read
    back by its first row (one query, none without such reversals); from this chunk, posted first (the part of the
    chunk before the reversal). A refusal names the voucher's first row of the file."""
    drafts = [draft for draft, _ in chunk]
    here = {draft.first_row: position for position, draft in enumerate(drafts)}
    earlier = queries.imported_vouchers(
        batch, {d.reverses_row for d in drafts if d.reverses_row is not None} - here.keys()
    )
    posted: list[Voucher] = []

    def post_until(end: int) -> None:
        part = drafts[len(posted) : end]
        first = len(posted)
        posted.extend(
            bulk.post([_entry(draft) for draft in part], label=lambda n: f"第{drafts[first + n].first_row}行")
        )

    for position, draft in enumerate(drafts):
        if draft.reverses_row is None:
            continue
        if draft.reverses_row in here:
            if here[draft.reverses_row] >= len(posted):
                post_until(position)
            draft.reverses = posted[here[draft.reverses_row]]
        else:
            draft.reverses = Voucher(pk=earlier[draft.reverses_row], year=batch.year)
    post_until(len(drafts))
    sql.insert(
        "imports_importedvoucher",
        ("batch_id", "year_id", "voucher_id", "fingerprint", "row"),
        [
            (batch.pk, batch.year_id, voucher.pk, fingerprint, draft.first_row)
            for voucher, (draft, fingerprint) in zip(posted, chunk, strict=True)
        ],
    )


def _refuse(analysis: Analysis) -> None:
    if analysis.file_problem:
        raise reader.FileRefused(analysis.file_problem)
    if analysis.problem_count:
        listed = "；".join(str(problem) for problem in analysis.problems[:5])
        more = f"等{analysis.problem_count}处问题" if analysis.problem_count > 5 else ""
        raise LedgerError(f"文件中有错误，没有导入任何数据：{listed}{more}")


@transaction.atomic
def confirm(*, batch: ImportBatch, user: AbstractBaseUser, progress: Progress | None = None) -> ImportBatch:
    """Write every voucher of the batch, posted, in one transaction — or nothing, with the first problems."""
    batch = (
        ImportBatch.objects.select_for_update().select_related("year__union", "year__chart").get(pk=batch.pk)
    )
    if batch.state == ImportBatch.State.DONE:
        raise LedgerError(f"“{batch.file_name}”已经导入过了")
    year = batch.year
    index = AccountIndex.for_year(year)
    if batch.kind == ImportBatch.Kind.OPENING:
        analysis = analyse(batch, page=0, index=index)
        _refuse(analysis)
        balances = {
            entry.account: (entry.debit - entry.credit)
            if entry.account.debit_normal
            else (entry.credit - entry.debit)
            for entry in analysis.opening
        }
        try:
            services.record_opening_balances(year=year, balances=balances, user=user)
        except LedgerError as error:
            raise LedgerError(f"期初余额没有导入：{error.message}") from None
        total = 1
    else:
        analysis = _post_file(batch, index, user, progress)
        total = analysis.voucher_count
    batch.state = ImportBatch.State.DONE
    batch.row_count = analysis.rows
    batch.voucher_count = total
    batch.done_count = total
    batch.finished_at = timezone.now()
    batch.message = (
        f"已导入{total}张凭证（{analysis.rows}行）"
        if batch.kind != ImportBatch.Kind.OPENING
        else "已导入期初余额"
    )
    batch.save()
    audit.record(
        AuditEvent.Action.BOOKS_IMPORTED,
        user=user,
        union=year.union,
        obj=batch,
        summary=f"导入{year.year}年度{batch.get_kind_display()}：{batch.file_name}（{analysis.rows}行，{total}张凭证）",
        changes={"file": batch.file_name, "sha256": batch.sha256, "rows": analysis.rows, "vouchers": total},
    )
    return batch


def _post_file(
    batch: ImportBatch, index: AccountIndex, user: AbstractBaseUser, progress: Progress | None
) -> Analysis:
    """Read the batch's file once, in chunks, checking each voucher as the preview does and posting each chunk as
    soon as it is checked (``_post_chunk``), inside the caller's transaction. Memory stays bounded: a chunk of
    drafts at a time, the problems listed (``LISTED_PROBLEMS``) and a small key per voucher (``_drafts``).

    Once a problem appears nothing more is posted; the rest of the file is still read so that the refusal counts
    every problem, and the refusal (raised here, inside the transaction) undoes what was posted. Cash and bank are
    checked once, when the last chunk is posted, by the file's joint effect on every day (``BulkPosting``), so a file
    need not be in date order; numbers are drawn per month in the file's order."""
    analysis = Analysis(batch=batch)
    total = batch.voucher_count  # counted by the preview; the progress bar's end
    done = 0
    with services.bulk_posting(year=batch.year, user=user) as bulk:
        drafts = _drafts(batch, index)
        while chunk := list(islice(drafts, CHUNK)):
            for draft, _ in chunk:
                analysis.count(draft)
            if analysis.problem_count:
                continue
            _post_chunk(bulk, batch, chunk)
            done += len(chunk)
            if progress:
                progress(done, max(total, done))
        analysis.check_not_empty()
        _refuse(analysis)
    return analysis


def runs_in_background(batch: ImportBatch) -> bool:
    """A file of more rows than IMPORT_BACKGROUND_ROWS is confirmed by a background worker (see ``start``)."""
    return batch.kind != ImportBatch.Kind.OPENING and batch.row_count > settings.IMPORT_BACKGROUND_ROWS


@transaction.atomic
def start(*, batch: ImportBatch, user: AbstractBaseUser) -> None:
    """Hand a large batch to the workers (the task queue of the report renders, ``imports.tasks``); its progress
    goes to a small file next to the upload, which the preview page polls.

    If the worker dies mid-way the transaction is rolled back and the batch stays 导入中 with its progress
    frozen; it can be confirmed again (nothing was written)."""
    from imports.tasks import confirm_import  # noqa: PLC0415 - the task module imports this one

    queued = ImportBatch.objects.filter(
        pk=batch.pk, state__in=[ImportBatch.State.PREVIEW, ImportBatch.State.FAILED]
    ).update(state=ImportBatch.State.RUNNING, message="")
    if queued:  # a second click on 确认导入 while it runs queues nothing more
        storage.write_progress(batch.sha256, 0, batch.voucher_count)
        confirm_import.enqueue(batch.pk, user.pk)


def run(*, batch_id: int, user_id: int) -> str:
    """The worker's part: ``confirm`` with progress written to a file, the outcome to the batch row (the request
    that started it is gone: the batch row is where she reads why). Returns the outcome."""
    batch = ImportBatch.objects.select_related("year").get(pk=batch_id)
    user = get_user_model().objects.get(pk=user_id)
    try:
        batch = confirm(
            batch=batch,
            user=user,
            progress=lambda done, total: storage.write_progress(batch.sha256, done, total),
        )
    except Exception as error:
        message = error.message if isinstance(error, LedgerError) else "导入时发生内部错误，没有导入任何数据"
        ImportBatch.objects.filter(pk=batch_id, state=ImportBatch.State.RUNNING).update(
            state=ImportBatch.State.FAILED, message=message[:500]
        )
        if not isinstance(error, LedgerError):
            raise
        return message
    return batch.message


@dataclass(frozen=True)
class Status:
    state: str
    label: str
    done: int
    total: int
    message: str


def status(batch: ImportBatch) -> Status:
    """Where a batch's confirmation is (the progress of a background one from its progress file)."""
    done, total = storage.read_progress(batch.sha256)
    if batch.state == ImportBatch.State.DONE:
        done = total = batch.voucher_count
    return Status(batch.state, batch.get_state_display(), done, total or batch.voucher_count, batch.message)


def record_analysis(batch: ImportBatch, analysis: Analysis) -> None:
    """Remember a preview's counts on the batch (what the list of imports and the background choice read)."""
    if batch.state == ImportBatch.State.PREVIEW and (
        batch.row_count != analysis.rows or batch.voucher_count != analysis.voucher_count
    ):
        batch.row_count, batch.voucher_count = analysis.rows, analysis.voucher_count
        batch.save(update_fields=["row_count", "voucher_count"])


@transaction.atomic
def add_missing_accounts(
    *, batch: ImportBatch, parents: dict[str, Account], user: AbstractBaseUser
) -> list[Account]:
    """Create, under the chosen 上级科目, the 明细科目 the file names and the year lacks (all or none)."""
    index = AccountIndex.for_year(batch.year)
    created = []
    for text, parent in parents.items():
        if index.find(text) is not None:
            continue
        missing = index.missing_for(text)
        code = ""
        match = text.strip().split()[0] if text.strip() else ""
        if match.isdigit() and match.startswith(parent.code) and match not in index.by_code:
            code = match
        created.append(
            services.add_sub_account(
                union=batch.year.union, parent=parent, name=missing.name, code=code, user=user
            )
        )
    return created


def batches(year: AccountingYear) -> list[ImportBatch]:
    return list(ImportBatch.objects.filter(year=year).select_related("created_by")[:20])


def batch_in(year: AccountingYear, pk: int) -> ImportBatch | None:
    return (
        ImportBatch.objects.select_related("year__union", "year__chart", "created_by")
        .filter(year=year, pk=pk)
        .first()
    )
