import numpy as np

from sim.core.rng import Decision, Streams, keyed_uniform


def test_a_draw_depends_only_on_its_key_not_on_the_others_drawn_with_it():
    s = Streams(seed=3, replicate=1)
    keys = np.array([5, 17, 99, 123456789012], dtype=np.int64)
    together = s.uniform(Decision.BOARD, 40, keys)
    alone = np.array([s.uniform(Decision.BOARD, 40, keys[i : i + 1])[0] for i in range(len(keys))])
    shuffled = s.uniform(Decision.BOARD, 40, keys[::-1])[::-1]
    assert np.array_equal(together, alone)
    assert np.array_equal(together, shuffled)
    assert s.scalar_uniform(Decision.BOARD, 40, 17) == together[1]


def test_streams_differ_by_seed_replicate_decision_and_day():
    keys = np.arange(1000)
    base = Streams(3, 0).uniform(Decision.BOARD, 1, keys)
    for other in (Streams(4, 0).uniform(Decision.BOARD, 1, keys), Streams(3, 1).uniform(Decision.BOARD, 1, keys),
                  Streams(3, 0).uniform(Decision.DISTRESS, 1, keys), Streams(3, 0).uniform(Decision.BOARD, 2, keys)):
        assert abs(np.corrcoef(base, other)[0, 1]) < 0.1
        assert not np.array_equal(base, other)


def test_uniforms_are_uniform_and_inside_the_open_interval():
    u = Streams(1).uniform(Decision.ORIGIN_DEPART, 7, np.arange(200_000))
    assert 0 < u.min() and u.max() < 1
    counts, _ = np.histogram(u, bins=20, range=(0, 1))
    expected = len(u) / 20
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < 45  # 19 degrees of freedom: p < 0.001 beyond this


def test_keyed_poisson_has_the_right_mean_and_variance():
    s = Streams(9)
    x = np.array([s.scalar_poisson(Decision.ARRESTS, d, 1, 3.0) for d in range(20_000)])
    assert abs(x.mean() - 3.0) < 0.08 and abs(x.var() - 3.0) < 0.2
    v = s.poisson(Decision.ASPIRANTS, 1, np.arange(50_000), np.full(50_000, 40.0))
    assert abs(v.mean() - 40) < 0.2 and abs(v.var() - 40) < 2


def test_the_compiled_draw_for_one_key_is_the_vectorised_draw():
    s = Streams(11, 2)
    keys = np.array([0, 1, 2**40 + 7, 2**62 - 1], dtype=np.int64)
    vec = s.uniform(Decision.BOARD, 123, keys)
    one = [keyed_uniform(np.uint64(k), s.salt(Decision.BOARD, 123)) for k in keys]
    assert vec.tolist() == one
