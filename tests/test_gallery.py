"""The gallery in derivations/: complete, linked from its index, fresh and deterministic."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from derive.cli import main
from derive.families import FAMILIES, GALLERY
from derive.gallery import gallery, spec_files
from derive.information.identities import IDENTITIES

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "derivations"
SPECS = COMMITTED / "specs"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_every_built_in_model_and_link_is_in_the_gallery() -> None:
    defaults = {f.name: f.default_link for f in FAMILIES}
    shown = {(e.name, e.link or defaults[e.name]) for e in GALLERY}
    for family in FAMILIES:
        for spec in family.links:
            assert (family.name, spec.name) in shown, (family.name, spec.name)
    assert len({e.stem for e in GALLERY}) == len(GALLERY)


def test_committed_gallery_is_fresh(tmp_path: Path) -> None:
    """Regenerate into a temporary folder: the committed derivations/ must be identical."""
    shutil.copytree(SPECS, tmp_path / "specs")
    assert main(["all", "--out", str(tmp_path)]) == 0
    fresh, committed = _files(tmp_path), _files(COMMITTED)
    assert sorted(fresh) == sorted(committed), "run: derive all --out derivations"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"stale gallery files {stale}; run: derive all --out derivations"


def test_index_links_every_entry() -> None:
    index = (COMMITTED / "index.md").read_text(encoding="utf-8")
    for exhibit in GALLERY:
        for suffix in (".md", ".tex"):
            name = exhibit.stem + suffix
            assert f"]({name})" in index, name
            assert (COMMITTED / name).is_file()
    for page in COMMITTED.iterdir():
        if page.is_dir():
            continue
        assert page.name == "index.md" or f"]({page.name})" in index, page.name
    losses, _, rest = index.partition("\n## Entropies and KL divergences\n")
    information, _, identities = rest.partition("\n## Identities\n")
    rows = [line for line in losses.splitlines() if line.startswith("| ") and "](" in line]
    assert len(rows) == len(GALLERY) + len(spec_files(str(SPECS)))
    for spec in spec_files(str(SPECS)):
        assert f"]({Path(spec).stem}.md)" in index
    assert all(("convex" in row) for row in rows)
    with_laws = [f for f in FAMILIES if f.law is not None]
    rows = [line for line in information.splitlines() if line.startswith("| ") and "](" in line]
    assert len(rows) == 2 * len(with_laws) >= 2
    for family in with_laws:
        for stem in (f"entropy-{family.name}", f"kl-{family.name}"):
            assert f"]({stem}.md)" in information and f"]({stem}.tex)" in information
    rows = [line for line in identities.splitlines() if line.startswith("| ") and "](" in line]
    assert len(rows) == len(IDENTITIES)
    for name in IDENTITIES:
        assert f"](identity-{name}.md)" in identities


def test_gallery_is_the_same_bytes_whatever_the_hash_seed(tmp_path: Path) -> None:
    exe = shutil.which("derive", path=str(Path(sys.executable).parent)) or "derive"
    outputs = []
    for seed in ("0", "12345"):
        folder = tmp_path / f"seed-{seed}"
        shutil.copytree(SPECS, folder / "specs")
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [exe, "all", "--out", str(folder)],
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
        outputs.append(_files(folder))
    assert outputs[0] == outputs[1]


def test_gallery_renders_in_memory_with_an_index() -> None:
    files = gallery()
    stems = [e.stem for e in GALLERY]
    stems += [
        f"{kind}-{f.name}" for f in FAMILIES if f.law is not None for kind in ("entropy", "kl")
    ]
    stems += [f"identity-{name}" for name in IDENTITIES]
    assert set(files) == {f"{stem}{s}" for stem in stems for s in (".md", ".tex")} | {"index.md"}
    assert all(text.endswith("\n") for text in files.values())


def test_every_law_and_identity_gets_its_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Written over the families with a law and the registry: new ones appear by themselves."""
    import derive.families
    from derive.gallery import identity_rows, index, information_rows
    from derive.information import identities
    from tests.information_fixtures import CATEGORICAL, registry

    monkeypatch.setattr(derive.families, "FAMILIES", (*FAMILIES, CATEGORICAL))
    monkeypatch.setattr(identities, "IDENTITIES", registry())
    information = information_rows()
    with_laws = [f.name for f in FAMILIES if f.law is not None]
    assert [row.stem for row in information][: 2 * len(with_laws)] == [
        stem for name in with_laws for stem in (f"entropy-{name}", f"kl-{name}")
    ]
    assert [row.stem for row in information][2 * len(with_laws) :] == [
        "entropy-fixture-categorical",
        "kl-fixture-categorical",
    ]
    kl = information[-1]
    assert kl.cells[:4] == ("kl", "P = Categorical, Q = Categorical", "nats", "closed form")
    assert kl.latex.startswith("\\documentclass") and kl.markdown.startswith("# KL divergence")
    proved = identity_rows()
    assert [row.stem for row in proved] == [
        "identity-decomposition",
        "identity-gibbs",
        "identity-asymmetry",
    ]
    assert proved[1].cells[2] == "proved" and proved[2].cells[2] == "refuted by an exact witness"
    text = index([], "derive gaussian", information, proved)
    assert "| kl | P = Categorical, Q = Categorical | nats | closed form |" in text
    assert (
        "[identity-gibbs.md](identity-gibbs.md) · [identity-gibbs.tex](identity-gibbs.tex)" in text
    )


def test_spec_files_are_rendered_with_the_built_ins() -> None:
    """User densities that are not built in (hyperbolic secant, log-normal) and a Gaussian
    with learned scale, from derivations/specs."""
    stems = {Path(p).stem for p in spec_files(str(SPECS))}
    assert {"hyperbolic-secant", "log-normal", "gaussian-learned-scale"} <= stems
    assert not stems & {e.stem for e in GALLERY}, "a spec page would overwrite a built-in page"
    files = gallery(str(SPECS))
    for stem in stems:
        assert "derive --spec" in files[f"{stem}.md"]
    assert "GaussianNLLLoss" in files["gaussian-learned-scale.md"]
    assert "unnamed" in files["index.md"]


def test_spec_files_are_derived_beside_the_built_ins(monkeypatch: pytest.MonkeyPatch) -> None:
    """The spec workers start before the built-in pages and come back in file order, at most
    SPEC_WORKERS at a time; a failure in the pages leaves no worker behind."""
    import derive.gallery as module
    import derive.sandbox as sandbox

    paths = spec_files(str(SPECS))
    started: list[str] = []

    start = sandbox.start_bounded

    def counted(fn: object, *args: object, **limits: object) -> object:
        if fn is module._spec_data:
            started.extend(args)  # type: ignore[arg-type]
        return start(fn, *args, **limits)  # type: ignore[arg-type]

    monkeypatch.setattr(sandbox, "start_bounded", counted)
    monkeypatch.setattr(module, "SPEC_WORKERS", 2)
    seen: list[int] = []

    def pages() -> str:
        seen.append(len(started))
        return "pages"

    done, rows = module._spec_rows(paths, pages)
    assert done == "pages" and seen == [min(2, len(paths))]
    assert [row.stem for row in rows] == [Path(p).stem for p in paths] and started == paths

    def broken() -> None:
        raise KeyboardInterrupt

    before = set(os.listdir("/proc"))
    with pytest.raises(KeyboardInterrupt):
        module._spec_rows(paths, broken)
    children = [
        pid
        for pid in set(os.listdir("/proc")) - before
        if pid.isdigit()
        and Path(f"/proc/{pid}/stat").exists()
        and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1] == str(os.getpid())
    ]
    assert children == []


def test_every_page_names_the_command_that_prints_it_byte_for_byte(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each .md and .tex page of derivations/ says "Generated by `COMMAND`"; COMMAND, run in
    that folder, prints the page itself."""
    import re
    import shlex

    from derive.render.latex import ProofPrinter

    folder = ROOT / "derivations"
    monkeypatch.chdir(folder)
    pages = sorted(p for p in folder.glob("*.md") if p.name != "index.md")
    assert len(pages) >= 40
    latex = ProofPrinter({"standalone": True})
    for page in pages:
        markdown = page.read_text(encoding="utf-8")
        found = re.search(r"^Generated by `([^`]+)`\.$", markdown, flags=re.MULTILINE)
        assert found is not None, page.name
        argv = shlex.split(found.group(1))
        assert argv[0] == "derive" and argv[-2:] == ["--format", "markdown"], argv
        assert main(argv[1:]) == 0, argv
        assert capsys.readouterr().out == markdown, page.name
        tex = page.with_suffix(".tex").read_text(encoding="utf-8")
        tex_argv = [*argv[:-2], "--format", "latex", "--standalone"]
        assert latex.code(" ".join(tex_argv)) in tex, page.name
        assert main(tex_argv[1:]) == 0, tex_argv
        assert capsys.readouterr().out == tex, page.with_suffix(".tex").name


def test_sigma_and_softplus_are_defined_before_their_first_use() -> None:
    """Every gallery proof that uses σ(·) or softplus(·) defines it, in its notation
    paragraph, before the first use; a proof that uses neither has no such paragraph."""
    uses = {"sigma": r"\sigma\left(", "softplus": r"\operatorname{softplus}\left("}
    defined = {
        "sigma": r"\sigma\left(u\right) = \frac{1}{1 + e^{- u}}",
        "softplus": r"\operatorname{softplus}\left(u\right) = \log{\left(1 + e^{u} \right)}",
    }
    pages = [*sorted((ROOT / "derivations").glob("*.md")), *(ROOT / "derivations").glob("*.tex")]
    using = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        notation = text.find("Notation: ")
        used = [name for name, mark in uses.items() if mark in text]
        if not used:
            assert notation == -1, page.name
            continue
        using += 1
        assert notation != -1, page.name
        paragraph = text[notation : text.index("\n", notation)]
        for name in used:
            assert defined[name] in paragraph, (page.name, name)
            first = text.find(uses[name], notation + len(paragraph))
            assert text.find(uses[name]) >= notation, (page.name, name)
            assert first > notation, (page.name, name)
    assert using >= 6
