import numpy as np

from sim.core.population import NEVER, Population, Status


def test_compaction_keeps_every_live_agent_and_drops_only_final_ones():
    pop = Population(capacity=16)
    rows = pop.add(uid=np.arange(100, dtype=np.int64), status=np.zeros(100, np.int8),
                   until=np.full(100, 5, np.int32), savings=np.arange(100, dtype=np.float32))
    assert len(pop) == 100 and rows[-1] == 99
    pop.finalise(np.arange(0, 100, 3), Status.ARRIVED)
    live_before = {(int(u), float(s)) for u, s, t in zip(pop.uid[:100], pop.savings[:100], pop.until[:100],
                                                          strict=True) if t != NEVER}
    pop.compact()
    assert len(pop) == len(live_before) == 66
    assert {(int(u), float(s)) for u, s in zip(pop.uid[: pop.n], pop.savings[: pop.n], strict=True)} == live_before
    assert pop.n_final_rows == 0
    assert (pop.status_counts()[Status.ARRIVED]) == 0


def test_due_rows_come_grouped_by_status_in_row_order_and_none_is_missed():
    rng = np.random.default_rng(3)
    pop = Population(capacity=16)
    n = 5000
    pop.add(uid=np.arange(n, dtype=np.int64), status=rng.integers(0, 7, n).astype(np.int8),
            until=rng.integers(0, 40, n).astype(np.int32))
    pop.finalise(np.arange(0, n, 7), Status.ARRIVED)  # final rows are never due
    for t in (0, 9, 39):
        rows, bounds = pop.due_by_status(t)
        due = np.flatnonzero(pop.until[: pop.n] <= t)
        expected = due[np.argsort(pop.status[due], kind="stable")]
        assert np.array_equal(rows, expected)
        for s in Status:
            assert (pop.status[rows[bounds[s]:bounds[s + 1]]] == s).all()
        assert bounds[-1] == len(due)
