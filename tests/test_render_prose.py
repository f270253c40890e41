"""derive's own sentences as LaTeX, Markdown and in-formula text."""

from __future__ import annotations

import pytest

from derive.analysis import analyse
from derive.engine import derive
from derive.render.prose import prose, prose_text
from derive.rules import Rule
from tests.conftest import CASES, LOCATION_CASES


def test_words_stay_text_and_math_goes_to_math_mode() -> None:
    assert prose("ℓ is convex in f") == r"$\ell$ is convex in $f$"
    assert prose("y ∈ {0, 1}") == r"$y \in \lbrace 0, 1\rbrace$"
    assert prose("exactly where σ(z) < 1/3") == r"exactly where $\sigma (z) < 1/3$"
    assert prose("a convex function of f") == "a convex function of $f$"
    assert prose("for c and a free of k") == "for $c$ and $a$ free of $k$"
    assert prose("log of a product") == "log of a product"
    assert prose("Σ_{i=1}^n ℓ_i") == r"$\sum _{i=1}^n \ell _i$"


def test_trailing_punctuation_stays_outside_the_formula() -> None:
    assert prose("at z = 1, and") == "at $z = 1$, and"


def test_math_target_wraps_the_words_in_text() -> None:
    assert prose("maximise L ⇔ minimise −log L", "math") == (
        r"\text{maximise}\ L \iff\text{ minimise}\ -\log L"
    )


def test_markdown_escapes_its_own_specials_outside_math() -> None:
    assert prose("a*b_c word", "markdown").endswith("word")
    assert prose_text("a_b*c", "markdown") == r"a\_b\*c"
    assert prose_text("50% & more_", "latex") == r"50\% \& more\_"


def test_unknown_characters_and_backslashes_are_refused() -> None:
    with pytest.raises(ValueError, match="no LaTeX spelling"):
        prose("z ⊕ y")
    with pytest.raises(ValueError, match="no LaTeX spelling"):
        prose(r"\input{x} = 1")
    with pytest.raises(ValueError, match="unknown target"):
        prose("x", "html")


def _sentences() -> list[str]:
    out: list[str] = []
    rules: set[type[Rule]] = set()
    for name, options in CASES + LOCATION_CASES:
        d = derive(name, **options)
        out += list(d.notes)
        if d.loss is not None:  # the words of a convention; its code is set as code
            out += " ".join(d.loss.loss.conventions).split("`")[::2]
        rules |= {type(s.rule) for s in d.steps}
        compare = "mse" if options.get("link") in ("logit", "softmax") else None
        an = analyse(d, compare)
        out += [an.verdict.reason, *an.notes]
        if an.linear is not None:
            out.append(an.linear.verdict.reason)
        if an.comparison is not None:
            out.append(an.comparison.mse_verdict.reason)
            out += [case for case, _, _ in an.comparison.limits]
            out += [f"{case}: {words}" for case, words in an.comparison.regions]
    for rule in rules:
        out += [rule.title, rule.__doc__.strip().splitlines()[0]]  # type: ignore[union-attr]
    return sorted(set(out))


def test_every_sentence_the_package_says_converts_to_ascii() -> None:
    sentences = _sentences()
    assert len(sentences) > 30
    for sentence in sentences:
        for target in ("latex", "markdown", "math"):
            converted = prose(sentence, target)
            assert converted.isascii(), (sentence, converted)
            assert converted.count("$") % 2 == 0


def test_information_theory_characters() -> None:
    assert prose("KL(P‖Q) ≥ 0", "latex") == r"$KL(P\| Q) \geq 0$"
    assert prose("y ∼ P on ℝ", "math") == r"y \sim P\text{ on}\ \mathbb{R}"
    assert prose("𝔼[y]", "markdown") == r"$\mathbb{E}[y]$"
