"""Fuzzing the inputs: generated bad scenarios, network CSVs, fitted files, base chains and output folders.

Every case must end with exit code 2 and one line on stderr, under 300 characters, with no traceback and
nothing written. Cases come from a fixed seed so a failure reproduces; the CLI is called in-process
(``routesim check`` for scenario faults, ``routesim run`` only where OUT matters, with the simulation
replaced by a failure: every OUT fault must be refused before it). The slow-marked sweep runs more seeds.
"""

from __future__ import annotations

import random  # noqa: TID251 - the test's own fixed-seed generator, not a model draw
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from sim.cli import main
from tests.conftest import ROOT, tiny_doc

NETWORK = ROOT / "data" / "network"
SLOT = "FUZZSLOT"
Case = tuple[str, dict[str, str | bytes], list[str]]  # (label, files relative to the case folder, argv)

_BAD_DATES = ["2014-02-30", "2014-13-01", "2014-00-10", "2014-01-01 25:00:00", "2014-01-32", "0000-01",
              "9999-12", "10000-01", "2201-01", "1899-12", "2014-1", "14-01", "2014/01", "'January 2014'", "2014",
              "[2014, 1]", "{y: 2014}", "null", "true", "2014-02-29", "2014-06-31T10:00:00", "-2014-01"]
_BAD_NUMBERS = ["!!int 12x", "!!float not-a-float", "!!int ''", "!!float [1]", ".nan", ".inf", "-.inf", "'3'",
                "[1, 2]", "{a: 1}", "true", "-1", "1e400", "10" * 300, "0x", "!!binary '%%%'", "abc", "''",
                "!!int 99999999999999999999999999999999999999999", "!!timestamp 2014-13-01"]
_BAD_NAMES = ["[search_and_rescue]", "{a: b}", "12", "1.5", "true", "''", "'a b'", "'" + "n" * 400 + "'",
              "'x\\ny'", "!!binary aGVsbG8=", "[[1]]", "'../../etc'", "null"]
_NUMBER_FIELDS = ["seed", "replicates", "spinup_months", "agents_per_person"]


def _scenario(doc: dict | None = None, **overrides) -> str:
    return yaml.safe_dump(doc if doc is not None else tiny_doc(network=str(NETWORK), **overrides), sort_keys=False)


def _with_slot(raw: str, path: tuple, rng: random.Random) -> str:
    """A scenario whose value at ``path`` is the raw YAML ``raw``."""
    doc = tiny_doc(network=str(NETWORK))
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = SLOT
    text = _scenario(doc)
    return text.replace(SLOT, raw.replace("\n", " "), 1)


def _date_fault(rng: random.Random) -> Case:
    where = rng.choice([("period", "start"), ("period", "end"), ("interventions", 0, "start"),
                        ("interventions", 0, "end")])
    raw = rng.choice(_BAD_DATES)
    if where[-1] == "end" and where[0] == "period" and raw == "2014-02-29":
        raw = "2014-02-30"
    if where[0] == "interventions" and raw in ("null",) and where[-1] == "end":
        raw = "2014-13-01"
    if where[0] == "interventions" and raw in ("2014-02-29",):
        raw = "2014-02-30"
    return "date", {"s.yaml": _with_slot(raw, where, rng)}, ["check", "s.yaml"]


def _number_fault(rng: random.Random) -> Case:
    raw = rng.choice(_BAD_NUMBERS)
    where = rng.choice([(f,) for f in _NUMBER_FIELDS] + [("interventions", 0, "intensity"),
                                                         ("interventions", 0, "ramp_days")])
    if raw == "-1" and where == ("interventions", 0, "intensity"):
        raw = "'-1'"
    if raw in ("'3'",) and where[-1] == "intensity":
        raw = "!!int 12x"
    return "number", {"s.yaml": _with_slot(raw, where, rng)}, ["check", "s.yaml"]


def _type_fault(rng: random.Random) -> Case:
    where = rng.choice([("name",), ("interventions", 0, "type"), ("interventions", 0, "target"),
                        ("interventions", 0, "id"), ("network",), ("description",), ("period",),
                        ("interventions", 0), ("interventions",), ("parameters",), ("calibration",), ("base",),
                        ("routesim_version",), ("interventions", 0, "note")])
    raw = rng.choice(_BAD_NAMES)
    if where in (("description",), ("interventions", 0, "note")) or (where == ("routesim_version",)):
        raw = rng.choice(["[1, 2]", "{a: b}"])
    if where in (("network",), ("calibration",), ("base",)) and raw in ("null", "''"):
        raw = "[x]"
    if where == ("interventions",) and raw == "null":
        raw = "{a: b}"
    if where in (("parameters",),) and raw in ("null", "''", "{a: b}"):
        raw = "{a: 1}" if raw == "{a: b}" else "[1]"
    if where == ("interventions", 0, "id") and raw in ("null", "''"):
        raw = "'a b'"
    return "type", {"s.yaml": _with_slot(raw, where, rng)}, ["check", "s.yaml"]


def _key_fault(rng: random.Random) -> Case:
    text = _scenario()
    kind = rng.choice(["duplicate_top", "duplicate_nested", "unknown_top", "unknown_nested", "missing"])
    if kind == "duplicate_top":
        key = rng.choice(["seed: 3", "name: other", "replicates: 2", "interventions: []"])
        text += key + "\n"
    elif kind == "duplicate_nested":
        text = text.replace("  start: 2014-01\n", "  start: 2014-01\n  start: 2014-02\n", 1) if rng.random() < .5 \
            else text.replace("  intensity: 0.5\n", "  intensity: 0.5\n  intensity: 0.6\n", 1)
    elif kind == "unknown_top":
        text += f"{rng.choice(['seeds', 'Name', 'param', 'x' * 500, '1', 'null', '[a]'])}: 1\n"
    elif kind == "unknown_nested":
        text = text.replace("  note: test\n", f"  note: test\n  {rng.choice(['colour', 'targets', 'y' * 300])}: 1\n")
    else:
        doc = tiny_doc(network=str(NETWORK))
        victim = rng.choice(["name", "period", ("interventions", "type"), ("interventions", "start")])
        if isinstance(victim, tuple):
            del doc["interventions"][0][victim[1]]
        else:
            del doc[victim]
        text = _scenario(doc)
    return "key", {"s.yaml": text}, ["check", "s.yaml"]


def _yaml_fault(rng: random.Random) -> Case:
    kind = rng.choice(["bomb", "syntax", "bytes", "toplevel", "deep", "recursive"])
    if kind == "bomb":
        width, depth = rng.randint(6, 12), rng.randint(5, 8)
        lines = [f"a0: &a0 [{', '.join(['x'] * width)}]"]
        lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, depth)]
        text = "\n".join(lines) + f"\ndescription: *a{depth - 1}\n" + _scenario()
    elif kind == "syntax":
        text = _scenario()
        cut = rng.randrange(len(text))
        text = text[:cut] + rng.choice([": :", "\t", "[", "{", "\"", "- - :\n  x", "&", "*nope"]) + text[cut:]
        if rng.random() < 0.5:
            text = "key: [unclosed\n" + text
        else:
            text += "\n  : bad\n- [\n"
    elif kind == "bytes":
        text = rng.choice([b"\xff\xfe\x00name: x\n", b"name: \xc3\x28\n", bytes(rng.randrange(256) for _ in range(50)) +
                           b"\x80"])
    elif kind == "toplevel":
        text = rng.choice(["", "---\n", "[1, 2]\n", "just text\n", "42\n", "null\n", "# only a comment\n"])
    elif kind == "deep":
        text = "description: " + "[" * rng.randint(2000, 5000) + "\n"
    else:
        text = "period: &p {start: 2014-01, end: *p}\n" + _scenario().replace("period:", "period_:", 1)
    return "yaml", {"s.yaml": text}, ["check", "s.yaml"]


def _network_files() -> dict[str, str]:
    return {f"net/{f.name}": f.read_text(encoding="utf-8") for f in sorted(NETWORK.glob("*.csv"))}


def _csv_fault(rng: random.Random) -> Case:
    files: dict[str, str | bytes] = dict(_network_files())
    name = rng.choice(sorted(files))
    lines = files[name].splitlines()
    kind = rng.choice(["truncate", "extra", "number", "unknown_id", "empty", "header", "nul", "bytes", "no_rows",
                       "duplicate"])
    row = rng.randrange(1, len(lines))
    cells = lines[row].split(",")
    if kind == "truncate":
        lines[row] = ",".join(cells[: rng.randrange(1, max(2, len(cells) - 1))])
        if lines[row].count(",") >= len(lines[0].split(",")) - 1:
            lines[row] = cells[0]
    elif kind == "extra":
        lines[row] = lines[row] + ",extra" * rng.randint(1, 3)
    elif kind == "number":
        numeric = [c for c in ("duration_days", "fee_eur", "aspirants_per_month", "wage_eur_per_day",
                               "interception_prob", "savings_sigma") if c in lines[0].split(",")]
        if not numeric or '"' in files[name]:
            lines[0] = lines[0].replace("id", "ident", 1)
        else:
            col = lines[0].split(",").index(rng.choice(numeric))
            cells[col] = rng.choice(["abc", "-5", "1e400", "nan", "2e9", "1,2"]).replace(",", ";")
            lines[row] = ",".join(cells)
    elif kind == "unknown_id" and name.endswith(("edges.csv", "origins.csv", "authorities.csv")) \
            and '"' not in lines[row]:
        col = {"edges.csv": "from", "origins.csv": "id", "authorities.csv": "edges"}[Path(name).name]
        cells[lines[0].split(",").index(col)] = "nowhere_" + "z" * rng.randint(1, 300)
        lines[row] = ",".join(cells)
    elif kind == "duplicate" and name.endswith(("nodes.csv", "edges.csv")):
        lines.append(lines[row])
    elif kind in ("empty", "unknown_id", "duplicate"):
        lines = []
    elif kind == "header":
        lines[0] = lines[0].replace("id", "ident", 1)
    elif kind == "no_rows":
        lines = lines[:1]
    if kind == "nul":
        files[name] = ("\n".join(lines) + "\n\x00bad\n").encode()
    elif kind == "bytes":
        files[name] = "\n".join(lines).encode() + b"\n\xff\xfe,\x80\n"
    else:
        files[name] = "\n".join(lines) + ("\n" if lines else "")
    files["s.yaml"] = _scenario(tiny_doc(network="net"))
    return "csv", files, ["check", "s.yaml"]


def _fitted_fault(rng: random.Random) -> Case:
    block = rng.choice(["{1: 0.5, b: 0.3}", "{a: x}", "{a: .nan}", "{a: .inf}", "[1, 2]", "{not_a_parameter: 1}",
                        "{a: [1]}", "{true: 1}", "{a: 1, a: 2}", "{'" + "p" * 300 + "': 1}"])
    key = rng.choice(["parameters", "interventions"])
    text = rng.choice([f"{key}: {block}\n", f"{key}: {block}\nother: 1\n" if key == "parameters"
                       else f"{key}: {block}\n", "- just\n- a list\n", "parameters: {\n", ""])
    files = {"fitted.yaml": text, "s.yaml": _scenario(tiny_doc(network=str(NETWORK), calibration="fitted.yaml"))}
    if rng.random() < 0.1:
        files["s.yaml"] = _scenario(tiny_doc(network=str(NETWORK), calibration="missing.yaml"))
    return "fitted", files, ["check", "s.yaml"]


def _base_fault(rng: random.Random) -> Case:
    kind = rng.choice(["deep", "cycle", "missing", "folder", "bad_base"])
    files: dict[str, str | bytes] = {}
    if kind == "deep":
        n = rng.randint(17, 60)
        for i in range(n):
            files[f"b{i}.yaml"] = yaml.safe_dump({"base": f"b{i + 1}.yaml", "name": f"b{i}"})
        files[f"b{n}.yaml"] = _scenario()
    elif kind == "cycle":
        n = rng.randint(1, 6)
        for i in range(n):
            files[f"b{i}.yaml"] = yaml.safe_dump({"base": f"b{(i + 1) % n}.yaml", "name": f"b{i}"})
    elif kind == "missing":
        files["b0.yaml"] = yaml.safe_dump({"base": rng.choice(["nope.yaml", "../" * 30 + "x.yaml", "a\x00b"]),
                                           "name": "b0"})
    elif kind == "folder":
        files["sub/keep.txt"] = "x"
        files["b0.yaml"] = yaml.safe_dump({"base": "sub", "name": "b0"})
    else:
        files["b0.yaml"] = yaml.safe_dump({"base": "b1.yaml", "name": "b0"})
        files["b1.yaml"] = _scenario().replace("seed: 11", rng.choice(["seed: -1", "seed: !!int x", "seed: [1]"]))
    files["s.yaml"] = files.pop("b0.yaml")
    return "base", files, ["check", "s.yaml"]


def _size_fault(rng: random.Random) -> Case:
    text = _scenario() + "# " + "x" * rng.randint(1_000_001, 1_100_000) + "\n"
    return "size", {"s.yaml": text}, ["check", "s.yaml"]


def _out_fault(rng: random.Random) -> Case:
    files: dict[str, str | bytes] = {"s.yaml": _scenario(tiny_doc(network=str(NETWORK), replicates=1,
                                                                  spinup_months=0)),
                                     "afile": "x", "mine/notes.txt": "keep"}
    out = rng.choice([".", "afile", "afile/sub", "mine", "y" * rng.randint(230, 300), "/proc/routesim/x", "/"])
    return "out", files, ["run", "s.yaml", "--out", out, "--quiet", "--no-plots", "--workers", "1"]


GENERATORS: dict[str, tuple[Callable[[random.Random], Case], int]] = {
    "date": (_date_fault, 160), "number": (_number_fault, 160), "type": (_type_fault, 160),
    "key": (_key_fault, 100), "yaml": (_yaml_fault, 100), "csv": (_csv_fault, 140), "fitted": (_fitted_fault, 60),
    "base": (_base_fault, 50), "size": (_size_fault, 10), "out": (_out_fault, 80),
}


def cases(seed: int, scale: int = 1) -> list[Case]:
    rng = random.Random(seed)
    return [gen(rng) for gen, n in GENERATORS.values() for _ in range(n * scale)]


def _write(folder: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _check(all_cases: list[Case], tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr("sim.run.scenario_run.simulate", lambda *a, **k: pytest.fail("simulated a bad input"))
    failures = []
    for i, (label, files, argv) in enumerate(all_cases):
        folder = tmp_path / f"c{i}"
        folder.mkdir()
        _write(folder, files)
        before = _listing(folder)
        monkeypatch.chdir(folder)
        code = main(argv)
        out, err = capsys.readouterr()
        problems = []
        if code != 2:
            problems.append(f"exit {code}")
        if err.count("\n") != 1 or not err.startswith("routesim: error: ") or "Traceback" in err:
            problems.append("not one error line")
        if len(err) >= 300:
            problems.append(f"{len(err)} characters")
        if out or _listing(folder) != before:
            problems.append("output written")
        if problems:
            failures.append(f"case {i} ({label}, {argv[:2]}): {', '.join(problems)}: {err[:300]!r}")
    assert not failures, f"{len(failures)} of {len(all_cases)} cases failed:\n" + "\n".join(failures[:20])


def test_generated_bad_inputs_all_exit_2_in_one_line(tmp_path, monkeypatch, capsys):
    all_cases = cases(seed=20261206)
    assert len(all_cases) >= 1000
    assert {label for label, _, _ in all_cases} == set(GENERATORS)
    _check(all_cases, tmp_path, monkeypatch, capsys)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_generated_bad_inputs_sweep(seed, tmp_path, monkeypatch, capsys):
    _check(cases(seed=seed, scale=3), tmp_path, monkeypatch, capsys)
