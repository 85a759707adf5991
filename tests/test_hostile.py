"""The hostile-input suite (tests/hostile.py) as a gate: every probe ends in the right result or a
clear error; none crashes, hangs or loses data. `python -m tests.hostile` prints each probe."""

from __future__ import annotations

from tests.hostile import CLEAR, CORRECT, run_all, tally


def test_hostile_inputs_never_crash_hang_or_lose_data(tmp_path, capsys):
    outcomes = run_all(tmp_path)
    with capsys.disabled():
        print("\n" + tally(outcomes))
    assert len(outcomes) >= 60
    assert {o.area for o in outcomes} >= {"check", "draft", "knowledge", "settings", "llm", "store"}
    bad = [f"{o.result}: {o.area} / {o.name}: {o.detail}" for o in outcomes if o.result not in (CORRECT, CLEAR)]
    assert not bad, "\n".join(bad)
