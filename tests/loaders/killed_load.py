"""Start ``detente load`` in a child process and kill it (SIGKILL) while it writes, as a crash would.

Shared by the crash tests of the staged and the overlapped loads.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from detente.loaders.pipeline import JOURNAL_NAME

DETENTE = str(Path(sys.executable).with_name("detente"))


def kill_load_mid_write(csv_file: Path, folder: Path, tmp_path: Path) -> Path:
    """Load ``csv_file`` into the on-disk store ``folder`` and kill the load after a few journal lines.

    Chunks are small, so there are many writes to kill in between; the killed process's staging
    (``detente-load-*`` in the temporary folder, never cleaned by a process killed with SIGKILL) goes into
    ``tmp_path``. Returns the journal's path.
    """
    staging = tmp_path / "tmp"
    staging.mkdir()
    env = {**os.environ, "DETENTE_LOAD_CHUNK": "10", "TMPDIR": str(staging)}
    process = subprocess.Popen([DETENTE, "load", str(csv_file), "--store", f"oxigraph:{folder}"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    journal = folder / JOURNAL_NAME
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and process.poll() is None:
        if journal.exists() and journal.read_text(encoding="utf-8").count("\n") >= 4:
            break
        time.sleep(0.001)
    assert process.poll() is None, "the load finished before it could be killed mid-write: make the file bigger"
    process.send_signal(signal.SIGKILL)
    process.wait()
    return journal
