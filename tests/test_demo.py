"""`mailbot demo --no-serve`: the main job on the embedded default with the bundled sample mail."""

from __future__ import annotations

import email
import subprocess
import sys
from email import policy
from pathlib import Path


def test_demo_turns_sample_mail_into_tracked_requests(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "mailbot", "demo", "--no-serve"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for status in ("pending_approval", "awaiting_identity", "flagged"):
        assert status in out
    assert "AVG-" in out and "quarantined" in out
    sent = [email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in (tmp_path / "var" / "outbox").glob("*.eml")]
    recipients = sorted(m["To"] for m in sent)
    # Acknowledgements to the verified customers, an identity request to the unknown German sender;
    # nothing to the forged mail, the order question, the out-of-office reply or the bounce.
    assert "p.bakker@example.nl" not in recipients
    assert "m.jansen@example.nl" not in recipients
    assert "juergen.mueller@web.example.de" in recipients
    assert "j.devries@example.nl" in recipients
    assert all(m["Auto-Submitted"] == "auto-replied" for m in sent)
    again = subprocess.run([sys.executable, "-m", "mailbot", "demo", "--no-serve"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
                           env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert again.returncode == 0, again.stderr
    assert len(list((tmp_path / "var" / "outbox").glob("*.eml"))) == len(sent)
