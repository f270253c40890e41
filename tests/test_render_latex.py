"""LaTeX proofs: structure, settings, line breaking, and pdflatex on real output."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sympy as sp

from derive.analysis import analyse
from derive.engine import derive
from derive.render.latex import ProofPrinter, command_line, render_latex, visible_width
from derive.steps import Relation
from tests.conftest import CASES, case_id, compile_tex, one_document, unnamed

ROOT = Path(__file__).resolve().parent.parent


def test_settings_are_validated() -> None:
    with pytest.raises(TypeError, match="Unknown setting"):
        ProofPrinter({"colour": "red"})
    for bad in (5, 1000, "60", True):
        with pytest.raises(ValueError, match="line_width"):
            ProofPrinter({"line_width": bad})
    with pytest.raises(ValueError, match="standalone"):
        ProofPrinter({"standalone": "yes"})
    assert ProofPrinter({"line_width": 40})._settings["line_width"] == 40


def _align_rows(tex: str) -> list[str]:
    blocks = re.findall(r"\\begin\{align\*\}\n(.*?)\n\\end\{align\*\}", tex, re.S)
    return [row for block in blocks for row in block.split(" \\\\\n")]


@pytest.mark.parametrize(("name", "options"), CASES, ids=[case_id(c) for c in CASES])
def test_every_step_is_one_justified_row(name: str, options: dict[str, Any]) -> None:
    d = derive(name, **options)
    tex = render_latex(d)
    rows = [row for row in ProofPrinter().derivation_rows(d) if r"\tag*{" in row]
    assert len(rows) == len(d.steps)
    assert all(row in _align_rows(tex) for row in rows)
    for step, row in zip(d.steps, rows, strict=True):
        symbol = {Relation.UP_TO_CONSTANT: r"&\doteq", Relation.PROPORTIONAL: r"&\propto"}.get(
            step.relation, "&="
        )
        assert symbol in row, (step.rule.name, row)
    # the law of every rule used is listed once
    assert tex.count(r"\item[") == len({s.rule.name for s in d.steps})
    assert tex.count("{") == tex.count("}") + tex.count(r"\}") - tex.count(r"\{")


def test_dropped_terms_and_factors_are_in_the_justification() -> None:
    tex = render_latex(derive("gaussian"))
    assert r"dropped $\frac{n \log{\left(2 \pi \sigma^{2} \right)}}{2}$" in tex
    assert r"factor $\frac{1}{2 \sigma^{2}} > 0$" in tex


def test_the_statement_names_the_loss_with_factor_and_constant() -> None:
    tex = render_latex(derive("gaussian"))
    assert r"\textbf{Proposition.}" in tex
    # the form scale·Σ ℓᵢ + offset, with ℓ displayed, then −log L written out
    stated = (
        r"- \log L(\theta) &= \frac{1}{2 \sigma^{2}} \sum_{i=1}^{n} \ell_{i}"
        r" + \frac{n \log{\left(2 \pi \sigma^{2} \right)}}{2} \\"
    )
    assert stated in tex
    assert r"&= \frac{\sum_{i=1}^{n} \left(y_{i} - f_{i}\right)^{2}}{2 \sigma^{2}}" in tex
    assert tex.index(stated) < tex.index(r"\ell_{i} = \left(y_{i} - f_{i}\right)^{2}")
    assert "minimum mean squared error (\\texttt{torch.nn.MSELoss})" in tex
    assert r"&= \frac{n \mathrm{loss}}{2 \sigma^{2}} + \frac{n \log" in tex
    assert (
        r"\tag*{\texttt{reduction=\textquotesingle{}mean\textquotesingle{} (the default)}}" in tex
    )
    assert r"\sigma > 0$ is fixed" in tex


def test_unnamed_loss_is_stated_as_such() -> None:
    d = unnamed()
    tex = render_latex(d, analyse(d))
    assert "matches no loss in derive's catalogue" in tex
    # ℓ, which the analysis differentiates, is defined there
    assert "for the loss\n\n\\[\n\\ell = \\log" in tex


def test_long_rows_break_at_top_level_terms() -> None:
    d = derive("categorical", link="softmax", label_smoothing="0.1", classes=3)
    printer = ProofPrinter()
    rows = printer.derivation_rows(d)
    assert any(row.startswith(r"&\quad ") for row in rows)
    width = printer._settings["line_width"]
    for row in rows:
        body = row.split(r" \tag*{")[0]
        # one piece may overrun when it cannot break, never by much
        assert visible_width(body) <= width + 30, row
        assert body.count(r"\left") == body.count(r"\right"), row
    opened = sum(row.count(r"\biggl(") for row in rows)
    assert opened and opened == sum(row.count(r"\biggr)") for row in rows)


def test_the_analysis_sections_follow_the_proof() -> None:
    d = derive("bernoulli", link="logit")
    tex = render_latex(d, analyse(d, "mse"))
    order = [
        r"\subsection*{Gradient}",
        r"\subsection*{Hessian}",
        r"\subsection*{Convexity}",
        r"\subsection*{Linear predictor}",
        r"\subsection*{Comparison: mean squared error on the probability}",
    ]
    positions = [tex.index(heading) for heading in order]
    assert positions == sorted(positions)
    assert r"\frac{\partial \ell}{\partial z} &= \sigma\left(z\right) - y" in tex
    assert r"\ell_{\mathrm{MSE}}$ is \textbf{not convex}" in tex
    assert "derive bernoulli --link logit --loss mse" in tex


def test_standalone_uses_only_the_three_packages() -> None:
    tex = render_latex(derive("laplace"), standalone=True)
    assert tex.startswith(r"\documentclass")
    assert tex.rstrip().endswith(r"\end{document}")
    packages = re.findall(r"\\usepackage(?:\[[^]]*\])?\{([^}]*)\}", tex)
    assert sorted(packages) == ["amsmath", "amssymb", "mathtools"]
    assert tex.isascii()
    assert r"\documentclass" not in render_latex(derive("laplace"))


def test_command_line_reproduces_the_options() -> None:
    d = derive("categorical", link="softmax", classes=3, label_smoothing="0.25")
    assert command_line(d, "mse") == (
        "derive categorical --link softmax --classes 3 --label-smoothing 1/4 --loss mse"
    )


def test_derivation_methods_and_notebook_display() -> None:
    d = derive("bernoulli")
    assert d.to_latex() == render_latex(d, analyse(d))
    assert d.to_latex(standalone=True, analysis=False) == render_latex(d, standalone=True)
    shown = d._repr_latex_()
    assert shown.startswith(r"$\displaystyle \begin{aligned}") and shown.endswith("$")
    assert shown.count(r"\text{") >= len(d.steps)


@pytest.mark.parametrize("stem", sorted(p.stem for p in (ROOT / "derivations").glob("*.tex")))
def test_every_gallery_document_compiles(stem: str, tmp_path: Path) -> None:
    tex = (ROOT / "derivations" / f"{stem}.tex").read_text(encoding="utf-8")
    compile_tex(tex, tmp_path, stem)


@pytest.mark.parametrize(
    "argv",
    [
        ("categorical", {"link": "softmax", "classes": 3}, "mse"),
        ("categorical", {"classes": 3, "targets": "soft"}, None),
        ("categorical", {"label_smoothing": "0.1"}, None),
        ("categorical", {"classes": 3, "label_smoothing": "0.1"}, None),
        ("categorical", {"link": "softmax", "classes": 3, "targets": "soft"}, "mse"),
        (None, {}, None),
        ("laplace", {}, None),
        ("student-t", {}, None),
        ("huber", {}, None),
        ("quantile", {}, None),
    ],
    ids=[
        "softmax-K3-mse",
        "kl-K3",
        "smoothing",
        "smoothing-K3",
        "soft-K3-mse",
        "unnamed",
        "laplace",
        "student-t",
        "huber",
        "quantile",
    ],
)
def test_outputs_outside_the_gallery_compile(argv: Any, tmp_path: Path) -> None:
    name, options, compare = argv
    d = derive(name, **options) if name is not None else unnamed()
    compile_tex(render_latex(d, analyse(d, compare), standalone=True), tmp_path)


def test_a_fragment_compiles_inside_a_paper(tmp_path: Path) -> None:
    """The fragment is what a user pastes: it needs nothing beyond the three packages."""
    fragment = render_latex(derive("gaussian"))
    paper = (
        "\\documentclass{article}\n\\usepackage{amsmath,amssymb,mathtools}\n"
        "\\begin{document}\n" + fragment + "\\end{document}\n"
    )
    compile_tex(paper.replace(r"\begin{document}", "\\begin{document}\\sloppy"), tmp_path)


def test_code_is_escaped_for_latex() -> None:
    assert ProofPrinter().code("a_b{c}%'#&~\\^") == (
        r"\texttt{a\_b\char123{}c\char125{}\%\textquotesingle{}\#\&\char126{}\char92{}\char94{}}"
    )
    long = ProofPrinter().code("--density " + "(a+b)" * 10)
    assert long.count(r"\allowbreak{}") == 20 and long.startswith(r"\texttt{--density (a+")


def test_the_exponential_family_section() -> None:
    d = derive("poisson")
    tex = render_latex(d, analyse(d))
    assert r"\subsection*{Exponential family}" in tex
    assert r"$A''(\eta) = \operatorname{Var}(T) \geq 0$; here $A''(\eta) = e^{\eta}$" in tex
    assert "The log link is canonical" in tex
    d = derive("gaussian", learn_variance="true")
    tex = render_latex(d, analyse(d))
    assert r"\nabla ^{2}A\left(\eta_{1}, \eta_{2}\right) = \operatorname{Cov}(T) \succeq 0" in tex
    assert "The identity link is not canonical" in tex
    d = derive("gamma")
    tex = render_latex(d, analyse(d))
    assert r"the canonical link is $\eta = - \frac{1}{\mu}$ up to an affine map." in tex
    laplace = derive("laplace")
    assert r"\subsection*{Exponential family}" not in render_latex(laplace, analyse(laplace))


def test_conventions_are_listed_with_their_code() -> None:
    tex = render_latex(derive("gaussian", learn_variance="true"))
    assert "Conventions of the library:" in tex
    assert r"with \texttt{full=True} it adds it back" in tex
    assert r"\texttt{eps=1e-6}" in tex
    gamma = render_latex(derive("gamma"))
    assert r"\texttt{torch.distributions.Gamma(alpha," in gamma and "Gamma loss" in gamma


def test_command_line_reproduces_switches_and_bound_numbers() -> None:
    assert command_line(derive("gaussian", learn_variance="true")) == (
        "derive gaussian --learn-variance"
    )
    assert command_line(derive("binomial", trials="1e3", link="identity")) == (
        "derive binomial --link identity --trials 1000"
    )
    assert command_line(derive("exponential", rate="true")) == "derive exponential --rate"


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("gamma", {"shape": "2"}),
        ("exponential", {"link": "identity"}),
        ("exponential", {"rate": "true"}),
        ("binomial", {"trials": "3", "link": "identity"}),
        ("poisson", {}),
    ],
    ids=["gamma-shape", "exponential-identity", "exponential-rate", "binomial-3", "poisson"],
)
def test_the_new_families_compile_outside_the_gallery(
    name: str, options: dict[str, Any], tmp_path: Path
) -> None:
    d = derive(name, **options)
    compile_tex(render_latex(d, analyse(d), standalone=True), tmp_path)


def test_region_and_convention_are_stated() -> None:
    d = derive("cauchy")
    tex = render_latex(d, analyse(d))
    assert (
        r"The curvature is negative, $\frac{\partial^{2} \ell}{\partial f^{2}} < 0$, exactly "
        r"where $\left|{y - f}\right| > \gamma$; elsewhere it is non-negative." in tex
    )
    huber = render_latex(derive("huber", delta="1"))
    assert "Conventions of the library:" in huber and "Quadratic where" in huber
    assert r"\texttt{torch.nn.SmoothL1Loss(beta=delta)" in huber
    pinball = render_latex(derive("quantile", quantile="0.9"))
    assert r"(no class in \texttt{torch.nn})" in pinball
    assert r"\tag*{\texttt{.mean() (the default)}}" in pinball


@pytest.mark.parametrize("classes", [32, 64])
def test_many_classes_compile(classes: int, tmp_path: Path) -> None:
    """K = 32 failed with 'Dimension too large' and K = 64 exceeded TeX's capacity when
    every class was written out; indexed, the proof is the size of the symbolic-K one."""
    for options in ({"link": "softmax"}, {"targets": "soft"}, {"label_smoothing": "0.1"}):
        d = derive("categorical", classes=classes, **options)  # type: ignore[arg-type]
        tex = render_latex(d, analyse(d), standalone=True)
        assert len(tex) < 20_000
        assert r"\sum_{j=1}^{%d}" % classes in tex or r"\prod_{k=1}^{%d}" % classes in tex
        compile_tex(tex, tmp_path, f"k{classes}")


@pytest.mark.parametrize("classes", [2, 3, 4, 5, 6, 7, 8, None], ids=lambda k: f"K{k or ''}")
def test_written_out_classes_compile_with_every_option(classes: int | None, tmp_path: Path) -> None:
    """Up to four classes are written out, more indexed, K symbolic without --classes; long
    products break between factors, a long likelihood is displayed, and nothing runs into
    the margin (the three option sets, with the MSE comparison, in one pdflatex run)."""
    count = {} if classes is None else {"classes": classes}
    documents = []
    for options in ({}, {"targets": "soft"}, {"label_smoothing": "0.1"}):
        d = derive("categorical", link="softmax", **count, **options)  # type: ignore[arg-type]
        documents.append(render_latex(d, analyse(d, "mse"), standalone=True))
    compile_tex(one_document(documents), tmp_path, "written")


def test_information_theory_prints_by_class() -> None:
    from derive.information.engine import Quantity
    from derive.information.expectation import Expectation, LogBase

    printer = ProofPrinter()
    t = sp.Symbol("y", real=True)
    p, q = sp.Symbol("P"), sp.Symbol("Q")
    mean = Expectation(t**2, t, p, sp.Function("p")(t), -sp.oo, sp.oo)
    assert printer.doprint(mean) == r"\mathbb{E}_{y \sim P}\left[y^{2}\right]"
    assert printer.doprint(LogBase(sp.Function("q")(t), sp.Integer(2))) == r"\log_{2} q(y)"
    assert printer.doprint(LogBase(t + 1, sp.Integer(10))) == r"\log_{10}{\left(1 + y \right)}"
    kl = Quantity(sp.Symbol("kl"), p, q)
    assert printer.doprint(kl) == r"D_{\mathrm{KL}}\left(P \,\|\, Q\right)"
    assert printer.doprint(Quantity(sp.Symbol("entropy"), p)) == r"H\left(P\right)"
    assert printer.doprint(Quantity(sp.Symbol("cross-entropy"), p, q)) == r"H\left(P, Q\right)"
    k = sp.Symbol("K", integer=True, positive=True)
    assert printer.doprint(sp.Range(1, k + 1)) == r"\left\{1, 2, \ldots, K\right\}"
    assert printer.doprint(sp.Range(0, 2)) == r"\left\{0, 1\right\}"
    assert printer._print(Relation.AT_MOST) == r"\leq"


def test_a_long_expectation_breaks_inside_its_brackets() -> None:
    from derive.information.expectation import Expectation

    t = sp.Symbol("y", real=True)
    a = sp.symbols("a1:12", positive=True)
    integrand = sp.Add(*(sp.log(s + t**2) for s in a))
    mean = Expectation(integrand, t, sp.Symbol("P"), sp.Function("p")(t), -sp.oo, sp.oo)
    lines = ProofPrinter().lines(mean)
    assert len(lines) > 1
    assert lines[0].startswith(r"\mathbb{E}_{y \sim P}\biggl[") and lines[-1].endswith(r"\biggr]")
    assert all(visible_width(line) <= 62 for line in lines)


def test_the_laws_of_the_information_rules() -> None:
    from derive.information import information
    from derive.information.rules import ChangeOfBase, CollectTerms, Densities, Linearity

    printer = ProofPrinter()
    assert printer.doprint(ChangeOfBase()).startswith(r"$\log_{b} a = \frac{\log a}{\log b}$")
    assert "for a, b and c free of $y$" not in printer.doprint(Linearity())
    assert r"$\mathbb{E}_{y \sim P}\left[c\right] = c$" in printer.doprint(Linearity())
    assert "proved equal" in printer.doprint(CollectTerms())
    d = information("kl", "normal", "normal")
    (densities,) = [s.rule for s in d.steps if isinstance(s.rule, Densities)]
    assert printer.doprint(densities) == (
        "$p(y)$ and $q(y)$ are the densities (mass functions) of the laws, as stated above."
    )
    moments = [printer.doprint(s.rule) for s in d.steps if s.rule.name == "Moment"]
    assert moments == [
        r"$\mathbb{E}_{y \sim P}\left[y^{2}\right] = \mu_{1}^{2} + \sigma_{1}^{2}$, "
        "a moment of the Normal law.",
        r"$\mathbb{E}_{y \sim P}\left[y\right] = \mu_{1}$, a moment of the Normal law.",
    ]


def test_the_comparison_says_what_it_compares_and_for_which_k() -> None:
    """One sentence: instead of ℓ, MSE on σ(z); for the softmax, written out for a stated
    number of classes (the derivation itself may keep K symbolic)."""
    d = derive("bernoulli", link="logit")
    tex = render_latex(d, analyse(d, "mse"))
    assert (
        r"Instead of $\ell$, the mean squared error on the predicted probability"
        r" $\sigma\left(z\right)$:" in tex
    )
    d = derive("categorical", link="softmax")
    an = analyse(d, "mse")
    assert an.comparison is not None and an.comparison.classes is not None
    shown = r"written out for $K = %d$ classes:" % an.comparison.classes
    assert shown in render_latex(d, an)


def test_a_long_line_of_code_breaks_after_a_comma_inside_its_brackets() -> None:
    import ast

    from derive.render.latex import CODE_WIDTH, wrap_code

    line = (
        "P = torch.distributions.Categorical(probs=torch.tensor(["
        + ", ".join(f"p_{k}" for k in range(1, 13))
        + "]))"
    )
    lines = wrap_code(line)
    assert len(lines) > 1 and all(len(part) <= CODE_WIDTH for part in lines)
    assert ast.dump(ast.parse("\n".join(lines))) == ast.dump(ast.parse(line))
    assert wrap_code("x = 1") == ["x = 1"]
    no_comma = "y = " + "a" * 100
    assert wrap_code(no_comma) == [no_comma]
    quoted = "f('" + "a, " * 40 + "')"  # commas inside a string are not break points
    assert wrap_code(quoted) == [quoted]
