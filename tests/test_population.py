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
