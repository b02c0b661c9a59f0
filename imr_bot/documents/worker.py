"""Reading documents people send, off the event loop: each job runs in a worker process capped in
memory (RLIMIT_AS) and in time. A job that runs out of either, or crashes its worker, is refused
with a reason (`DocumentRefused`) and its worker killed and replaced; every other turn is
answered meanwhile, because the bot's own process only waits.

Jobs are module-level functions (they cross the process boundary by name), their arguments and
results plain data. With no workers (`IMR_DOCUMENT_WORKERS=0`, for unit tests) a job runs in a
thread of the bot's own process, uncapped.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

from imr_bot.domain.errors import DocumentRefused, DomainError

from .safety import MB, ArchiveLimits

log = logging.getLogger(__name__)

OK, REFUSED, MEMORY, FAILED, TIMEOUT, CRASHED = "ok", "refused", "memory", "failed", "timeout", "crashed"
READY, RAISED = "ready", "raised"
_PASSED = {"PATH", "LANG", "TZ", "TMPDIR", "HOME"}
STARTUP_SECONDS = 60  # a fresh interpreter importing the readers, on a busy machine
_ADVICE = "please send a smaller or simpler document, or share a SharePoint or OneDrive link"


def _run_job(job: Callable, args: tuple) -> tuple[str, Any]:
    """A job's outcome as data: its result, or why it has none."""
    try:
        return OK, job(*args)
    except MemoryError:
        return MEMORY, None
    except DocumentRefused as refused:
        return REFUSED, refused.reason
    except DomainError as error:  # a job's own named refusal, carried back as it is
        return RAISED, (type(error), str(error), dict(vars(error)))
    except Exception as error:  # lxml says so when libxml2's allocation hits the cap
        if "memory" in str(error).lower() and "alloc" in str(error).lower():
            return MEMORY, None
        return FAILED, type(error).__name__


def _rebuilt(kind: type, message: str, state: dict) -> DomainError:
    """A job's DomainError, as it was raised (its own __init__ may take other arguments)."""
    error = kind.__new__(kind)
    Exception.__init__(error, message)
    vars(error).update(state)
    return error


def _serve(connection, memory_bytes: int) -> None:
    """A worker process: jobs in, outcomes out, until told to stop or its parent goes."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:  # the readers imported before the first job, so its time is its own
        import docxtpl  # noqa: F401

        from imr_bot.documents import jobs  # noqa: F401
    except Exception:  # the job will say what is missing
        pass
    connection.send((READY, None))
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        except MemoryError:
            outcome = (MEMORY, None)
        except Exception as error:  # a job that cannot be unpickled here
            outcome = (FAILED, type(error).__name__)
        else:
            if message is None:
                return
            outcome = _run_job(*message)
            if outcome[0] in (OK, FAILED) and _peak() >= memory_bytes * 0.9:
                # a parser that met the cap may say only "unknown error", or a reader may take
                # that for a damaged file: a result made at the ceiling is not to be trusted
                outcome = (MEMORY, None)
        try:
            connection.send(outcome)
        except MemoryError:
            connection.send((MEMORY, None))
        except Exception as error:  # a result or a refusal that does not pickle
            connection.send((FAILED, type(error).__name__))
        if outcome[0] == MEMORY:
            return  # a process that ran out of memory may be left in a bad way: start afresh


def _peak() -> int:
    """The most address space this process has held, in bytes (0 where /proc is not)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _main() -> None:
    """`python -m imr_bot.documents.worker MEMORY_BYTES`: jobs on stdin, outcomes on stdout
    (anything a job prints goes to stderr)."""
    out = os.dup(1)
    os.dup2(2, 1)
    _serve(_Pipe(Connection(0, writable=False), Connection(out, readable=False)),
           int(sys.argv[1]))


class _Pipe:
    """Two one-way connections as one."""

    def __init__(self, reader: Connection, writer: Connection):
        self.reader, self.writer = reader, writer

    def recv(self):
        return self.reader.recv()

    def send(self, value) -> None:
        self.writer.send(value)

    def poll(self, seconds: float) -> bool:
        return self.reader.poll(seconds)

    def close(self) -> None:
        self.reader.close()
        self.writer.close()


class _Worker:
    """A fresh interpreter (nothing of the bot's state or main module inherited), started with
    the bot's own import path."""

    def __init__(self, memory_bytes: int):
        # only what an interpreter needs: the bot's secrets (the app password, the audit key,
        # the database's URL) stay out of a process that reads attacker-made files
        environment = {name: value for name, value in os.environ.items()
                       if name in _PASSED or name.startswith(("LC_", "PYTHON"))}
        environment["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "imr_bot.documents.worker", str(memory_bytes)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment, close_fds=True)
        self.connection = _Pipe(Connection(os.dup(self.process.stdout.fileno()), writable=False),
                                Connection(os.dup(self.process.stdin.fileno()), readable=False))
        self.process.stdin.close()
        self.process.stdout.close()
        self.ready = False

    def call(self, message: tuple, seconds: float) -> tuple[str, Any]:
        """In a thread: send the job, wait at most `seconds` for its outcome."""
        try:
            if not self.ready:
                if not self.connection.poll(STARTUP_SECONDS) or self.connection.recv()[0] != READY:
                    return CRASHED, None
                self.ready = True
            self.connection.send(message)
            if not self.connection.poll(seconds):
                return TIMEOUT, None
            return self.connection.recv()
        except (EOFError, OSError):
            return CRASHED, None

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()

    def stop(self) -> None:
        self.kill()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            log.warning("a document worker did not stop")
        self.connection.close()


class DocumentWorkers:
    def __init__(self, workers: int = 0, memory_mb: int = 768, seconds: float = 30.0,
                 limits: ArchiveLimits | None = None, remember: int = 128):
        self.workers = workers
        self.memory_mb = memory_mb
        self.seconds = seconds
        self.limits = limits or ArchiveLimits()
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._closed = False
        self._slots = asyncio.Semaphore(max(workers, 1))
        self._threads = ThreadPoolExecutor(max_workers=max(workers, 1),
                                           thread_name_prefix="imr-documents")
        self.started = 0  # jobs begun, and running now: for metrics and tests
        self.running = 0
        self._results: OrderedDict[tuple, Any] = OrderedDict()
        self._remember = remember

    @classmethod
    def from_settings(cls, settings) -> DocumentWorkers:
        return cls(settings.document_workers, settings.document_memory_mb,
                   settings.document_seconds, ArchiveLimits.from_settings(settings))

    async def run(self, job: Callable, *args, name: str = "",
                  unreadable: str = "it could not be read as a Word document") -> Any:
        """The job's result; DocumentRefused (naming the file as `name`) when it refused the
        document, ran out of memory or time, or failed (`unreadable` says so)."""
        loop = asyncio.get_running_loop()
        async with self._slots:
            self.started += 1
            self.running += 1
            try:
                outcome, value = await self._run(loop, job, args)
            finally:
                self.running -= 1
        if outcome == OK:
            return value
        if outcome == REFUSED:
            raise DocumentRefused(value, name)
        if outcome == RAISED:
            raise _rebuilt(*value)
        if outcome == MEMORY:
            raise DocumentRefused(f"reading it needed more than {self.memory_mb} MB of memory, "
                                  f"far more than a document should; {_ADVICE}", name)
        if outcome == TIMEOUT:
            raise DocumentRefused(f"it took longer than {self.seconds:g} seconds to read, far "
                                  f"longer than a document should; {_ADVICE}", name)
        if outcome == CRASHED:
            raise DocumentRefused(f"reading it stopped the reader; {_ADVICE}", name)
        log.info("a document job failed: %s", value)  # the exception's type only: no content
        raise DocumentRefused(unreadable, name)

    async def _run(self, loop, job: Callable, args: tuple) -> tuple[str, Any]:
        if not self.workers:
            return await loop.run_in_executor(self._threads, _run_job, job, args)
        worker = self._idle.pop() if self._idle else await loop.run_in_executor(
            self._threads, _Worker, self.memory_mb * MB)
        self._all.add(worker)
        outcome, value = CRASHED, None
        try:
            outcome, value = await loop.run_in_executor(self._threads, worker.call,
                                                        (job, args), self.seconds)
        finally:  # a cancelled wait leaves the job running: its worker goes too
            if outcome in (OK, REFUSED, RAISED, FAILED):
                self._idle.append(worker)
            else:  # killed, and a fresh one takes its place at the next job
                log.warning("a document worker was stopped: %s", outcome)
                self._all.discard(worker)
                worker.kill()
                if not self._closed:
                    loop.run_in_executor(self._threads, worker.stop)
        return outcome, value

    # -- results already known, by what they were computed from ----------------------------
    def known(self, key: tuple) -> Any:
        if key in self._results:
            self._results.move_to_end(key)
            return self._results[key]
        return None

    def keep(self, key: tuple, value: Any) -> None:
        self._results[key] = value
        self._results.move_to_end(key)
        while len(self._results) > self._remember:
            self._results.popitem(last=False)

    async def close(self) -> None:
        """Every worker stopped, a busy one too (its job is refused as a crash)."""
        self._closed = True
        workers, self._idle, self._all = list(self._all), [], set()
        for worker in workers:
            worker.kill()
        await asyncio.get_running_loop().run_in_executor(None, self._stop, workers)
        self._threads.shutdown(wait=False)

    @staticmethod
    def _stop(workers: list[_Worker]) -> None:
        for worker in workers:
            worker.stop()


if __name__ == "__main__":
    _main()
