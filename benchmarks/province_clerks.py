"""The province benchmark's clerks: processes adding dossiers at once, through the service
(``services.ledger.add_dossier``) or through the raw driver (the baseline).

A module of its own so that the spawned processes import only this, not the benchmark.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import bench_search
import bench_sweep
from province_ledger import LAST_ID, Raw

from tthc_tracker.bootstrap import build
from tthc_tracker.domain.search import search_text
from tthc_tracker.services import ledger

AS_OF = bench_sweep.AS_OF


def _service_adder(url: str, pairs: list[tuple[int, str, int, str]]) -> Callable[..., None]:
    app = build(url)
    calendars = app.calendars

    def add(code: str, rng: random.Random) -> None:
        _, procedure, _, agency = rng.choice(pairs)
        new = ledger.NewDossier(
            code=code,
            procedure=procedure,
            agency=agency,
            applicant=bench_search._name(rng),
            received_at=AS_OF - timedelta(minutes=rng.randrange(1, 600)),
            channel=rng.choice(("truc-tiep", "truc-tuyen", "buu-chinh")),
            phone=bench_search._phone(rng),
        )
        ledger.add_dossier(app.db, calendars, new, "clerk", AS_OF)

    return add


def _raw_adder(url: str, pairs: list[tuple[int, str, int, str]]) -> Callable[..., None]:
    raw = Raw(url)
    dossier = (
        "INSERT INTO dossier (code, procedure_id, receiving_agency_id, processing_agency_id,"
        " returning_agency_id, applicant_name, applicant_kind, id_number, address, phone,"
        " email, summary, channel, received_at, original_due_at, due_at, status,"
        " supplement_requests, extended, version, created_at, updated_at, search_text)"
        " VALUES (?,?,?,?,?,?,'ca-nhan','','',?,'','',?,?,?,?,'in_progress',0,?,1,?,?,?)"
        " RETURNING id"
    )
    event = (
        "INSERT INTO dossier_event (dossier_id, seq, kind, at, recorded_at, actor, field,"
        " reason) VALUES (?,1,'received',?,?,'clerk','','') RETURNING id"
    )

    def add(code: str, rng: random.Random) -> None:
        procedure_id, _, agency_id, _ = rng.choice(pairs)
        name, phone = bench_search._name(rng), bench_search._phone(rng)
        received = AS_OF - timedelta(minutes=rng.randrange(1, 600))
        due = raw.time(received + timedelta(days=3))
        at, now = raw.time(received), raw.time(AS_OF)
        raw.write(
            [
                (
                    dossier,
                    (
                        code,
                        procedure_id,
                        agency_id,
                        agency_id,
                        agency_id,
                        name,
                        phone,
                        "truc-tiep",
                        at,
                        due,
                        due,
                        False,
                        now,
                        now,
                        search_text(name, code, phone),
                    ),
                ),
                (event, (LAST_ID, at, now)),
            ]
        )

    return add


def clerk(url: str, prefix: str, worker: int, seconds: float, pairs: list[Any], sync: Any) -> None:
    """One clerk process: ready, wait for the start, add dossiers for ``seconds``, report,
    then keep its connection until told to finish (its server process is measured)."""
    ready, go, results, finish = sync
    os.environ["TTHC_NOW"] = AS_OF.isoformat()
    rng = random.Random(worker)
    prefix = f"{prefix}{worker:02d}-"
    try:
        add = (_raw_adder if prefix.startswith(RAW) else _service_adder)(url, pairs)
        add(f"{prefix}0", rng)  # warm-up: connection, calendars, statement caches
    except Exception as error:  # reported by the parent, which stops every clerk
        ready.put(repr(error))
        return
    ready.put("")
    go.wait()
    done, errors, first_error, times = 0, 0, "", []
    cpu = time.process_time()
    end = time.perf_counter() + seconds
    while (started := time.perf_counter()) < end:
        try:
            add(f"{prefix}{done + errors + 1}", rng)
        except Exception as error:  # counted and reported; the clerk goes on
            errors += 1
            first_error = first_error or repr(error)[:200]
            continue
        done += 1
        times.append((time.perf_counter() - started) * 1000)
    results.put((done, errors, first_error, times, time.process_time() - cpu))
    finish.wait()


def server_cpu(url: str) -> dict[int, float] | None:
    """CPU seconds used so far by each server process of the database (PostgreSQL on this
    machine only; None otherwise)."""
    if url.startswith("sqlite"):
        return None
    raw = Raw(url)
    pids = raw.all(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        " AND pid <> pg_backend_pid()"
    )
    raw.close()
    used = {}
    for (pid,) in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


RAW = "CLERK-R"  # codes of the baseline's dossiers start so; the product's with "CLERK-S"


@dataclass
class Clerks:
    prefix: str  # every code this run added starts so
    rate: float  # dossiers per second, all processes
    done: int
    errors: int
    first_error: str
    times: list[float]  # ms per dossier
    client_ms: float  # client CPU per dossier
    server_ms: float | None  # server CPU per dossier


def run_clerks(url: str, raw: bool, clerks: int, seconds: float) -> Clerks:
    probe = Raw(url)
    pairs = probe.all(
        "SELECT p.id, p.code, a.id, a.code FROM procedure p JOIN agency a ON a.id = p.agency_id"
    )
    probe.close()
    prefix = f"{RAW if raw else 'CLERK-S'}{time.time_ns() % 10**9}-"
    context = multiprocessing.get_context("spawn")
    sync = (context.Queue(), context.Event(), context.Queue(), context.Event())
    ready, go, results, finish = sync
    workers = [
        context.Process(target=clerk, args=(url, prefix, n, seconds, pairs, sync), daemon=True)
        for n in range(clerks)
    ]
    for w in workers:
        w.start()
    problems = [m for m in (ready.get(timeout=600) for _ in workers) if m]
    if problems:
        for w in workers:
            w.kill()
        raise RuntimeError(f"a clerk could not start: {problems[0]}")
    before = server_cpu(url)
    go.set()
    collected = [results.get(timeout=seconds + 600) for _ in workers]
    after = server_cpu(url)
    finish.set()
    for w in workers:
        w.join()
    done = sum(r[0] for r in collected)
    server = None
    if before is not None and after is not None:
        server = sum(after.get(pid, used) - used for pid, used in before.items())
    per = 1000 / max(done, 1)
    return Clerks(
        prefix=prefix,
        rate=done / seconds,
        done=done,
        errors=sum(r[1] for r in collected),
        first_error=next((r[2] for r in collected if r[2]), ""),
        times=[t for r in collected for t in r[3]],
        client_ms=sum(r[4] for r in collected) * per,
        server_ms=None if server is None else server * per,
    )
