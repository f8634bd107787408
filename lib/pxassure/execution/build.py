"""Building a pack: plan it (:mod:`.planning`), skip what is current, run the rest on a runner
(:mod:`.runners`), then write the period's index; and join the printed papers into a board pack.

A pack is built from the wards up, one worker process per core: each report as soon as the
reports whose findings it reads are built (a division after its own wards; the committees
and the board, side by side, after the divisions). One failing report does not stop the
others.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pxassure.errors import ParameterError
from pxassure.execution import runners, zygote
from pxassure.execution.execute import current, final_dir, final_key
from pxassure.execution.planning import ReportJob, ReportOutcome, absolute, existing_reports
from pxassure.files import atomic_write_text
from pxassure.periods import Period
from pxassure.publish import contents
from pxassure.reports.committees import LAYERS
from pxassure.words import counted


def run_pack(
    jobs: list[ReportJob],
    output_root: str | Path = "outputs",
    *,
    workers: int | None = None,
    progress: bool = True,
    force: bool = False,
    scheduler: str | None = None,
) -> list[ReportOutcome]:
    """Build ``jobs`` in parallel, each after the reports it reads (:func:`ready`); then each
    period's index. Reports still current (``freshness``) are skipped unless ``force``; none of
    them starts a process or a kernel. With ``scheduler`` (a Dask scheduler address, or
    ``"local"``) the reports to build run as a task graph on that cluster's workers (:mod:`.cluster`).
    Jobs may cover more than one period (a quarterly committee's paper beside a month's pack):
    each period's papers are built and indexed in its own folder, the month's first."""
    if not jobs:
        return []
    if len({j.trust for j in jobs}) > 1:
        raise ParameterError("a pack is one trust's papers: plan them together")
    periods = dict.fromkeys(j.period for j in jobs)
    outcomes = []
    for period in sorted(periods, key=lambda p: Period.parse(p).is_quarter):  # the month's first
        one = [j for j in jobs if j.period == period]
        outcomes += _run_period(one, output_root, workers, progress, force, scheduler)
    write_trust_index(absolute(Path(output_root)), jobs)
    return outcomes


def _run_period(jobs, output_root, workers, progress, force, scheduler) -> list[ReportOutcome]:
    """Build one period's ``jobs`` (see :func:`run_pack`), then that period's index."""
    if not jobs:
        return []
    output_root = absolute(Path(output_root))
    period_dir = jobs[0].period_dir(output_root)
    linkable = sorted(existing_reports(period_dir) | {j.spec.path for j in jobs})
    workers = workers or runners.default_workers()
    bar = _progress(len(jobs), progress)
    outcomes: list[ReportOutcome] = []
    to_build: dict[str, list[ReportJob]] = {}
    for layer in LAYERS:
        for job in (j for j in jobs if j.layer == layer):
            outcome = ReportOutcome(job)
            key = final_key(job, linkable)
            if not force and key is not None and current(job, final_dir(job, output_root), key, outcome):
                outcomes.append(outcome)  # current: no process, no kernel
                bar.update(1)
            else:
                to_build.setdefault(layer, []).append(job)
    pending = [j for layer in LAYERS for j in to_build.get(layer, [])]
    if not pending:
        zygote.Zygote.end_unused()  # `pxassure build` starts one before it plans: not needed
    else:
        run = runners.runner("here" if scheduler is None else "dask")
        outcomes += run(pending, output_root, linkable, force, bar, workers=workers, scheduler=scheduler)
    bar.close()
    write_index(period_dir, jobs[0].period, jobs[0].trust_name)
    return outcomes


def write_index(period_dir: Path, period: str, trust_name: str = "") -> Path:
    """``outputs/<trust>/<period>/index.html``: every report of one trust's month, in agenda order (atomic)."""
    from pxassure.publish.pages import index_page

    period_dir = Path(period_dir)
    target = period_dir / "index.html"
    atomic_write_text(target, index_page(Period.parse(period).name, contents.agenda(period_dir), trust_name))
    return target


def write_trust_index(output_root: Path, jobs: list[ReportJob]) -> Path:
    """``outputs/<trust>/index.html``: every period built for the trust, months and quarters (atomic)."""
    from pxassure.publish.pages import periods_page

    trust_dir = output_root / jobs[0].trust
    target = trust_dir / "index.html"
    atomic_write_text(target, periods_page(contents.periods(trust_dir), jobs[0].trust_name))
    return target


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="report", desc="Building reports", disable=not enabled, file=sys.stderr)


def summary(outcomes: list[ReportOutcome]) -> str:
    """The end-of-build summary: counts, then every failure with its executed notebook."""
    ok = [o for o in outcomes if o.ok and not o.skipped]
    skipped = [o for o in outcomes if o.skipped]
    failed = [o for o in outcomes if not o.ok]
    unchanged = f", {len(skipped)} unchanged (skipped; --force rebuilds them)" if skipped else ""
    lines = [f"{counted(len(ok), 'report')} built{unchanged}, {len(failed)} failed."]
    for o in failed:
        lines.append(f"  FAILED {o.job.spec.path}: {o.error}\n    executed notebook: {o.notebook}")
    return "\n".join(lines)


def board_pack(
    period_dir: str | Path, *, trust_name: str, period: str, wards: bool = False, meeting_date: str | None = None
) -> Path:
    """``<period_dir>/board-pack.pdf``: the period's papers in agenda order (the board, then its
    committees in reporting order, then divisions; wards when asked) behind a cover and contents
    page, with bookmarks. A paper whose PDF is missing or older than its HTML is printed first."""
    from pxassure.publish.pages import page_css
    from pxassure.publish.pdf import PackPaper, build_pack, print_pdf

    period_dir = Path(period_dir)
    papers = [
        PackPaper(e.group, e.title, period_dir / e.path, e.division, e.escalated, bool(e.appendix_of))
        for e in contents.agenda(period_dir, wards=wards, governors=False)
    ]
    if not papers:
        raise ParameterError(f"no papers built in {period_dir}: run pxassure build --all first")
    for paper in papers:
        if not paper.pdf.exists() or paper.pdf.stat().st_mtime < paper.html.stat().st_mtime:
            print_pdf(paper.html, paper.pdf)
    title = f"Board pack — {trust_name} — {period}"
    return build_pack(
        papers,
        period_dir / "board-pack.pdf",
        trust_name=trust_name,
        period=period,
        css=page_css(title),
        front_css=page_css(title, numbered=False),
        meeting_date=meeting_date,
    )
