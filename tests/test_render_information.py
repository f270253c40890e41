"""Entropies, cross-entropies, KL divergences and identities in text, JSON, LaTeX and Markdown.

The Normal law is built in; the other laws and the identities are the hand-made
records of :mod:`tests.information_fixtures`, which exercise every way a moment
is found and every part of an identity.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy as sp
import torch

from derive.errors import DeriveError
from derive.information.engine import Information, information
from derive.information.identity import Identity
from derive.render.information import (
    REBUILD,
    InformationMarkdownPrinter,
    InformationPrinter,
    command_line,
    identity_dict,
    information_dict,
    render_information,
    render_json,
    render_latex,
    render_markdown,
    render_text,
    title,
    torch_call,
    torch_lines,
)
from tests.conftest import compile_tex, mathjax_node, one_document
from tests.information_fixtures import (
    CATEGORICAL,
    EXPONENTIAL,
    LAPLACE,
    POISSON,
    SWITCH,
    asymmetry,
    decomposition,
    gibbs,
)

ROOT = Path(__file__).resolve().parent.parent

# (label, kind, laws, base, classes): every way a moment is found, every base
CASES: list[tuple[str, str, tuple[Any, ...], str, int | None]] = [
    ("kl-normal", "kl", ("normal", "normal"), "e", None),
    ("entropy-normal-bits", "entropy", ("normal",), "2", None),
    ("cross-entropy-normal-bans", "cross-entropy", ("normal", "normal"), "10", None),
    ("kl-laplace-split", "kl", (LAPLACE, LAPLACE), "e", None),
    ("entropy-bernoulli-sum", "entropy", (SWITCH,), "2", None),
    ("kl-categorical-symbolic", "kl", (CATEGORICAL, CATEGORICAL), "e", None),
    ("kl-categorical-3", "kl", (CATEGORICAL, CATEGORICAL), "e", 3),
    ("entropy-poisson-series", "entropy", (POISSON,), "e", None),
    ("entropy-exponential-integral", "entropy", (EXPONENTIAL,), "e", None),
]
IDS = [case[0] for case in CASES]


def _derive(case: tuple[str, str, tuple[Any, ...], str, int | None]) -> Information:
    _, kind, laws, base, classes = case
    return information(kind, *laws, base=base, classes=classes)


def _unknown() -> Information:
    """The KL of two Normal laws as if its first moment had not been found."""
    d = information("kl", "normal", "normal")
    return replace(d, steps=d.steps[:5], value=None, reason="SymPy found no closed form for E[y]")


def _rebuild(obj: dict[str, str]) -> sp.Basic:
    return sp.sympify(obj["sympy"], locals=REBUILD)


# ------------------------------------------------------------------ text


def test_text_of_the_normal_kl_names_every_step_and_the_torch_call() -> None:
    out = render_text(information("kl", "normal", "normal"))
    lines = out.splitlines()
    assert lines[0] == (
        "derive kl gaussian gaussian — KL divergence between a Normal law P and a "
        "Normal law Q, in nats"
    )
    assert "laws: P = Normal(μ₁, σ₁), Q = Normal(μ₂, σ₂); y ∈ ℝ" in lines
    assert "assume: σ₁ > 0, σ₂ > 0" in lines
    assert "  KL(P‖Q) = 𝔼_{y∼P}[log(p(y)) − log(q(y))]" in lines
    assert "        [Moment] 𝔼_{y∼P}[y²] = μ₁² + σ₁², a moment of the Normal law" in lines
    assert "        [Moment] 𝔼_{y∼P}[y] = μ₁, a moment of the Normal law" in lines
    assert "  KL(P‖Q) = −1/2 + (σ₁² + (μ₁ − μ₂)²)/(2·σ₂²) + log(σ₂/σ₁)   (nats)" in lines
    assert "  torch: P = torch.distributions.Normal(loc=mu_1, scale=sigma_1)" in lines
    assert "         value = torch.distributions.kl_divergence(P, Q)" in lines
    numbered = [line for line in lines if re.match(r"  \(\d+\) = ", line)]
    assert len(numbered) == 8


@pytest.mark.parametrize(
    ("case", "phrase"),
    [
        (CASES[3], "the integral split at y = loc₂ and y = loc₁"),
        (CASES[3], "𝔼_{y∼P}[|y − loc₁|] = b₁, the integral split at y = loc₁"),
        (CASES[4], "𝔼_{y∼P}[y] = p, a sum over the support"),
        (CASES[7], "a series with no closed form"),
        (CASES[8], "𝔼_{y∼P}[y] = 1/rate, an integral over the support"),
        (CASES[6], "𝔼_{y∼P}[[2 = y]] = p₂, a moment of the Categorical law"),
    ],
    ids=["split-two", "split-one", "sum", "series", "integral", "law-vector"],
)
def test_each_moment_says_which_and_how(case: Any, phrase: str) -> None:
    assert phrase in render_text(_derive(case))


def test_text_states_the_support_the_facts_and_the_unit() -> None:
    bits = render_text(_derive(CASES[4]))
    assert "laws: P = Bernoulli(p); y ∈ {0, 1}" in bits and "assume: 0 < p < 1" in bits
    assert "  H(P) = 𝔼_{y∼P}[−log₂(p(y))]" in bits and "(bits)" in bits
    assert "value = P.entropy() / math.log(2)" in bits
    vector = render_text(_derive(CASES[5]))
    assert "y ∈ {1, 2, …, K}" in vector
    assert "assume: p[k] > 0, Σₖ₌₁ᴷ p[k] = 1, q[k] > 0, Σₖ₌₁ᴷ q[k] = 1" in vector
    assert "probs=torch.tensor([p_1, ..., p_K])" in vector
    series = render_text(_derive(CASES[7]))
    assert "y ∈ {0, 1, …}" in series
    assert "y ∈ (0, ∞)" in render_text(_derive(CASES[8]))


def test_remarks_of_the_derivation_s_kind_only() -> None:
    kl = render_text(_derive(CASES[6]))
    assert "  note: `torch.nn.KLDivLoss` takes log q as its input and p as its target" in kl
    assert "another kind" not in kl
    entropy = render_text(information("entropy", CATEGORICAL))
    assert "KLDivLoss" not in entropy and "another kind of derivation" in entropy


def test_an_unknown_value_is_said_so_with_its_reason() -> None:
    d = _unknown()
    text = render_text(d)
    assert "  KL(P‖Q): unknown — SymPy found no closed form for E[y]" in text
    assert "(nats)" not in text
    doc = information_dict(d)
    assert doc["status"] == "unknown" and doc["value"] is None
    assert doc["reason"] == "SymPy found no closed form for E[y]"
    tex = render_latex(d)
    assert "No closed form was found" in tex and "is unknown." in tex and "Then," not in tex


def test_a_law_without_torch_entropy_gets_no_torch_call() -> None:
    d = _derive(CASES[8])
    assert torch_call(d) is None and torch_lines(d) == []
    assert "torch:" not in render_text(d)
    assert information_dict(d)["torch_call"] is None
    kl = information("kl", EXPONENTIAL, EXPONENTIAL)
    assert torch_call(kl) == "torch.distributions.kl_divergence(P, Q)"


def test_a_pair_of_different_laws_says_torch_must_register_it() -> None:
    d = information("kl", SWITCH, replace(SWITCH, name="other-switch"))
    assert "note: `torch.distributions.kl_divergence`" not in render_text(d)  # same class
    other = replace(SWITCH, law=replace(SWITCH.law, torch="ContinuousBernoulli"))
    d = information("kl", SWITCH, other)
    assert "only where torch registers the pair (Bernoulli, ContinuousBernoulli)" in (
        render_text(d)
    )


def test_titles_and_command_lines() -> None:
    d = _derive(CASES[1])
    assert title(d) == "Entropy of a Normal law P, in bits"
    assert command_line(d) == "derive entropy gaussian --base 2"
    assert command_line(_derive(CASES[6])) == (
        "derive kl fixture-categorical fixture-categorical --classes 3"
    )
    assert title(_derive(CASES[8])) == "Entropy of an Exponential law P, in nats"
    # a user density is given by the flags in its source, each once
    user = replace(LAPLACE, source=(("--p-density", r"\frac{1}{2}e^{-|y|}"), ("--support", "real")))
    d = information("kl", user, replace(user, source=(("--q-density", "x"), ("--support", "real"))))
    assert command_line(d) == (
        "derive kl --p-density '\\frac{1}{2}e^{-|y|}' --support real --q-density x"
    )
    assert command_line(gibbs()) == "derive identity gibbs"


# ------------------------------------------------------------------ JSON


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_json_contract(case: Any) -> None:
    d = _derive(case)
    doc = json.loads(render_json(d))
    assert doc == information_dict(d)
    _, kind, _, base, _ = case
    assert doc["schema"] == 1 and doc["kind"] == kind and doc["base"] == base
    assert doc["unit"] == {"e": "nats", "2": "bits", "10": "bans"}[base]
    assert doc["status"] == "derived" and doc["reason"] is None
    assert sp.simplify(_rebuild(doc["value"]) - d.value) == 0
    assert _rebuild(doc["quantity"]) == d.quantity
    assert [law["label"] for law in doc["laws"]] == [inst.label.name for inst in d.laws]
    assert len(doc["steps"]) == len(d.steps)
    for step, original in zip(doc["steps"], d.steps, strict=True):
        assert set(step) >= {"rule", "law", "title", "relation", "symbol", "after"}
        assert step["rule"] == original.rule.name and step["relation"] == "equal"
        rebuilt = _rebuild(step["after"])
        assert rebuilt.free_symbols == original.after.free_symbols
        if step["rule"] == "Moment":
            moment = step["moment"]
            assert moment["how"] in ("law", "sum", "series", "integral", "split")
            assert isinstance(_rebuild(moment["term"]), REBUILD["Expectation"])
            assert sp.simplify(_rebuild(moment["value"]) - original.rule.value) == 0  # type: ignore[attr-defined]
            assert not step["law"].startswith(moment["law"])  # the rule's law, not the law's name
    labels = ["p", "q"][: len(d.laws)]
    assert sorted(doc["torch"]) == labels


def test_json_torch_objects() -> None:
    normal = information_dict(information("kl", "normal", "normal"))["torch"]
    assert normal == {
        "p": {"class": "torch.distributions.Normal", "args": {"loc": "mu_1", "scale": "sigma_1"}},
        "q": {"class": "torch.distributions.Normal", "args": {"loc": "mu_2", "scale": "sigma_2"}},
    }
    entropy = information_dict(information("entropy", "normal"))["torch"]
    assert entropy == {
        "p": {"class": "torch.distributions.Normal", "args": {"loc": "mu", "scale": "sigma"}}
    }
    concrete = information_dict(_derive(CASES[6]))["torch"]
    assert concrete["p"]["args"] == {"probs": ["p_1", "p_2", "p_3"]}
    assert concrete["q"]["args"] == {"probs": ["q_1", "q_2", "q_3"]}
    laws = information_dict(_derive(CASES[6]))["laws"]
    assert laws[0]["entries"] == ["p_1", "p_2", "p_3"] and laws[0]["classes"] == "3"
    assert laws[1]["parameters"] == {"probs": "q"} and laws[0]["support"] == "labels"


def test_json_remarks_and_call() -> None:
    doc = information_dict(_derive(CASES[6]))
    assert doc["remarks"] == ["`torch.nn.KLDivLoss` takes log q as its input and p as its target"]
    assert doc["torch_call"] == "torch.distributions.kl_divergence(P, Q)"
    assert doc["command"] == "derive kl fixture-categorical fixture-categorical --classes 3"
    assert information_dict(_derive(CASES[2]))["torch_call"] == (
        "(P.entropy() + torch.distributions.kl_divergence(P, Q)) / math.log(10)"
    )


# ------------------------------------------------------------------ torch, at the same point


def _point(d: Information, rng: np.random.Generator) -> dict[sp.Symbol, float]:
    point: dict[sp.Symbol, float] = {}
    for inst in d.laws:
        for symbol in inst.symbols:
            assert isinstance(symbol, sp.Symbol)
            point[symbol] = float(rng.uniform(0.5, 2.0) if symbol.is_positive else rng.normal())
    return point


@pytest.mark.parametrize("case", [CASES[0], CASES[1], CASES[2], CASES[6]], ids=IDS[:3] + IDS[6:7])
def test_the_torch_lines_compute_the_derived_value(case: Any) -> None:
    """The code the conclusion prints, run at random parameters, gives the derived value."""
    d = _derive(case)
    rng = np.random.default_rng(7)
    for _ in range(5):
        point = _point(d, rng)
        entries = [s for inst in d.laws for s in inst.entries]
        if entries:  # a probability vector: each law's entries normalised
            for inst in d.laws:
                total = sum(point[s] for s in inst.entries)
                for s in inst.entries:
                    point[s] /= total
        expected = float(d.value.xreplace({s: sp.Float(v, 30) for s, v in point.items()}))
        namespace: dict[str, Any] = {"torch": torch, "math": math}
        namespace |= {s.name: torch.tensor(v, dtype=torch.float64) for s, v in point.items()}
        exec("\n".join(torch_lines(d)), namespace)  # the printed code, as a user would run it
        assert float(namespace["value"]) == pytest.approx(expected, rel=1e-10, abs=1e-12)


def test_the_kldivloss_remarks_hold_in_torch() -> None:
    """What the categorical law's remarks say of torch.nn.KLDivLoss and CrossEntropyLoss."""
    from derive.families.categorical import LAW_REMARKS

    kinds = {kind for kind, _ in LAW_REMARKS}
    assert kinds == {"kl", "cross-entropy"}
    text = " ".join(sentence for _, sentence in LAW_REMARKS)
    for claim in ("log_target=True", "reduction='batchmean'", "N·K", "KL(P‖Q)/K", "H(P, Q)"):
        assert claim in text
    generator = torch.Generator().manual_seed(3)
    rows, classes = 5, 4
    p = torch.softmax(torch.randn(rows, classes, generator=generator, dtype=torch.float64), 1)
    z = torch.randn(rows, classes, generator=generator, dtype=torch.float64)
    q = torch.softmax(z, 1)
    kl_rows = (p * (p.log() - q.log())).sum(1)
    loss = torch.nn.KLDivLoss
    batchmean = loss(reduction="batchmean")(q.log(), p)
    assert torch.allclose(batchmean, kl_rows.mean(), rtol=1e-12)
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        mean = loss(reduction="mean")(q.log(), p)  # torch warns as the remark does
    assert torch.allclose(mean, kl_rows.mean() / classes, rtol=1e-12)
    logged = loss(reduction="batchmean", log_target=True)(q.log(), p.log())
    assert torch.allclose(logged, batchmean, rtol=1e-12)
    # the library's KL between the laws themselves agrees, row by row
    laws = torch.distributions.Categorical
    assert torch.allclose(torch.distributions.kl_divergence(laws(probs=p), laws(probs=q)), kl_rows)
    # CrossEntropyLoss on logits with probability targets: H(P, Q), averaged over rows
    cross = torch.nn.CrossEntropyLoss()(z, p)
    assert torch.allclose(cross, (-(p * q.log()).sum(1)).mean(), rtol=1e-12)
    assert torch.allclose(cross, (laws(probs=p).entropy() + kl_rows).mean(), rtol=1e-12)


def test_the_derived_categorical_kl_is_what_kldivloss_batchmean_gives() -> None:
    d = _derive(CASES[6])
    generator = torch.Generator().manual_seed(11)
    p, q = (
        torch.softmax(torch.randn(3, generator=generator, dtype=torch.float64), 0) for _ in "pq"
    )
    values = {
        symbol: float(value)
        for inst, vector in zip(d.laws, (p, q), strict=True)
        for symbol, value in zip(inst.entries, vector, strict=True)
    }
    derived = float(d.value.xreplace(values))
    batchmean = torch.nn.KLDivLoss(reduction="batchmean")(q.log()[None], p[None])
    assert float(batchmean) == pytest.approx(derived, rel=1e-12)


# ------------------------------------------------------------------ LaTeX and Markdown


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_step_is_one_justified_row(case: Any) -> None:
    d = _derive(case)
    tex = render_latex(d)
    assert tex.count(r"\tag*{") == len(d.steps) + 1  # the definition, then each step
    assert r"\documentclass" not in tex
    md = render_markdown(d)
    rows = InformationMarkdownPrinter().chain(d.quantity, d.start, d.steps)
    assert sum(" && " in row for row in rows) == len(d.steps) + 1
    for row in rows:
        assert row in md
    assert md.isascii()
    assert tex.count("{") == tex.count("}") + tex.count(r"\}") - tex.count(r"\{")


def test_latex_names_the_quantities_and_the_laws() -> None:
    tex = render_latex(information("kl", "normal", "normal"))
    assert r"D_{\mathrm{KL}}\left(P \,\|\, Q\right) &= \mathbb{E}_{y \sim P}\left[" in tex
    assert r"P = \operatorname{Normal}\left(\mu_{1}, \sigma_{1}\right)" in tex
    moment = r"\mathbb{E}_{y \sim P}\left[y^{2}\right]"
    assert r"\tag*{\text{$%s$, a moment of the Normal law}}" % moment in tex
    law = r"\item[a moment] $\mathbb{E}_{y \sim P}\left[y\right] = \mu_{1}$, a moment of the"
    assert law + " Normal law." in tex
    bits = render_latex(_derive(CASES[1]))
    assert r"H\left(P\right) &= \mathbb{E}_{y \sim P}\left[- \log_{2} p(y)\right]" in bits
    assert r"\item[change of base] $\log_{b} a = \frac{\log a}{\log b}$ for" in bits
    assert "Then, in bits," in bits
    split = render_latex(_derive(CASES[3]))
    assert "the integral split at $y = loc_{2}$ and $y = loc_{1}$}}" in split  # a row's tag
    assert "$, the integral split at $y = loc_{1}$." in split  # its law, with the value
    vector = render_latex(_derive(CASES[5]))
    assert r"y \in \left\{1, 2, \ldots, K\right\}" in vector
    assert r"\sum_{k=1}^{K} p_{k} = 1" in vector


def test_markdown_lists_conventions_with_their_code() -> None:
    md = render_markdown(_derive(CASES[6]))
    assert "Conventions of the library:" in md
    assert "- `torch.nn.KLDivLoss` takes $\\log q$ as its input and $p$ as its target." in md
    code = "P = torch.distributions.Categorical(probs=torch.tensor([p_1, p_2, p_3]))"
    assert f"```python\n{code}" in md


def test_printers_dispatch_and_refuse_other_formats() -> None:
    d = information("entropy", "normal")
    assert render_information(d, "text") == render_text(d)
    assert render_information(d, "json") == render_json(d)
    assert render_information(d, "markdown") == render_markdown(d)
    assert render_information(d, "latex", True) == render_latex(d, standalone=True)
    assert InformationPrinter().doprint(d) == render_latex(d)
    with pytest.raises(ValueError, match="unknown format"):
        render_information(d, "html")
    with pytest.raises(ValueError, match="standalone"):
        InformationMarkdownPrinter({"standalone": True}).doprint(d)


def _documents() -> list[tuple[str, Information | Identity]]:
    out: list[tuple[str, Information | Identity]] = [(c[0], _derive(c)) for c in CASES]
    out.append(("unknown", _unknown()))
    out += [(i.name, i) for i in (decomposition(), gibbs(), asymmetry())]
    return out


def test_standalone_documents_compile(tmp_path: Path) -> None:
    for name, document in _documents():
        compile_tex(render_latex(document, standalone=True), tmp_path, name)


@pytest.mark.parametrize("classes", [2, 3, 4, 5, 6, 7, 8, None], ids=lambda k: f"K{k or ''}")
def test_categorical_pages_compile_for_every_k(classes: int | None, tmp_path: Path) -> None:
    """The entropy, cross-entropy and KL pages of categorical laws, written out entry by
    entry, with no overfull box: at K = 8 a row of log terms was 117 pt wider than the
    page (its width was counted with \\log as one character), and a bracketed sum could
    not break at all (one pdflatex run for the three pages)."""
    kinds = [("entropy", 1), ("cross-entropy", 2), ("kl", 2)]
    documents = [
        render_latex(information(kind, *["categorical"] * laws, classes=classes), standalone=True)
        for kind, laws in kinds
    ]
    compile_tex(one_document(documents), tmp_path, "categorical")


def test_every_markdown_formula_parses_in_mathjax(tmp_path: Path) -> None:
    node, modules = mathjax_node()
    files = []
    for name, document in _documents():
        page = tmp_path / f"{name}.md"
        page.write_text(render_markdown(document), encoding="utf-8")
        files.append(str(page))
    env = {**os.environ, "NODE_PATH": modules}
    result = subprocess.run(
        [node, str(ROOT / "tests" / "mathjax_check.js"), *files],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert int(result.stdout.split()[-3]) > 100


# ------------------------------------------------------------------ identities


def test_identity_text() -> None:
    text = render_text(decomposition())
    assert text.splitlines()[:3] == [
        "derive identity decomposition — Cross-entropy is entropy plus KL divergence",
        "claim: H(P, Q) = H(P) + KL(P‖Q) for laws P and Q on one sample space",
        "statement: H(P, Q) = H(P) + KL(P‖Q)",
    ]
    assert "where Q: a law with q > 0 wherever p > 0" in text
    assert "  (1) = H(P) + KL(P‖Q)" in text
    assert "note: `torch.nn.CrossEntropyLoss` with probability targets computes H(P, Q)" in text
    inequality = render_text(gibbs())
    assert "statement: 0 ≤ KL(P‖Q)" in inequality and "  (1) ≤ 0" in inequality
    witness = render_text(asymmetry())
    assert "Proof" not in witness
    assert "  P = (1/2, 1/2)" in witness and "  Q = (1/4, 3/4)" in witness
    assert "  hence KL(P‖Q) ≠ KL(Q‖P)" in witness
    assert re.search(r"  KL\(P‖Q\) = .* ≈ 0\.143841\n", witness)


def test_identity_json_and_the_witness_rechecked_from_it_alone() -> None:
    doc = json.loads(render_json(asymmetry()))
    assert doc == identity_dict(asymmetry())
    assert doc["schema"] == 1 and doc["kind"] == "identity" and doc["name"] == "asymmetry"
    assert doc["steps"] == [] and doc["command"] == "derive identity asymmetry"
    witness = doc["witness"]
    assert witness["family"] == "categorical"
    assert witness["P"] == ["1/2", "1/2"] and witness["Q"] == ["1/4", "3/4"]

    def kl(a: str, b: str) -> sp.Expr:
        pairs = zip(witness[a], witness[b], strict=True)
        terms = [(Fraction(x), Fraction(y)) for x, y in pairs]
        return sp.Add(*(sp.Rational(x) * sp.log(sp.Rational(x) / sp.Rational(y)) for x, y in terms))

    values = {name: _rebuild(value) for name, value in witness["values"].items()}
    assert sp.simplify(values["KL(P||Q)"] - kl("P", "Q")) == 0
    assert sp.simplify(values["KL(Q||P)"] - kl("Q", "P")) == 0
    assert sp.N(values["KL(P||Q)"] - values["KL(Q||P)"], 30) != 0
    assert isinstance(_rebuild(witness["comparison"]), sp.Ne)
    gibbs_doc = identity_dict(gibbs())
    assert gibbs_doc["witness"] is None
    assert gibbs_doc["steps"][0]["relation"] == "at_most" and gibbs_doc["steps"][0]["symbol"] == "≤"
    assert _rebuild(gibbs_doc["statement"]) == sp.LessThan(0, _rebuild(gibbs_doc["start"]) * -1)
    assert identity_dict(decomposition())["symbols"] == {
        "P": "a law",
        "Q": "a law with q > 0 wherever p > 0",
    }


def test_identity_latex_and_markdown() -> None:
    tex = render_latex(gibbs())
    assert r"- D_{\mathrm{KL}}\left(P \,\|\, Q\right) &\leq 0 \tag*{" in tex
    assert r"\textbf{Claim.} $KL(P\| Q) \geq 0$, with equality exactly when $P = Q$." in tex
    witness = render_latex(asymmetry())
    assert r"\textbf{Witness.} In the categorical family" in witness
    assert r"\approx 0.143841" in witness and r"\textbf{Proof.}" not in witness
    md = render_markdown(decomposition())
    assert "Remarks:" in md and "- `torch.nn.CrossEntropyLoss` with probability targets" in md
    assert md.isascii()


def test_unknown_formats_and_documents_are_refused() -> None:
    with pytest.raises(DeriveError):
        information("kl", "normal")
