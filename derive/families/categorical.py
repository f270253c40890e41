"""Class labels: y ∈ {1, …, K}, y ~ Categorical(q).

Mass function of one observation: ∏_k q_k^{t_k} with the one-hot target
t_k = [k = y] (or soft targets p_k ≥ 0 summing to one, or label-smoothed
targets (1 − ε)·t_k + ε/K). With the identity link (the model outputs q on
the simplex) the loss is −log q_y, ``torch.nn.NLLLoss`` on log q, or with soft
targets the KL divergence up to the targets' entropy, ``torch.nn.KLDivLoss``;
with the softmax link (q = softmax(z)) it is logsumexp(z) − z_y,
``torch.nn.CrossEntropyLoss``, which takes class indices, probabilities and
``label_smoothing``. K is symbolic unless ``--classes`` makes it concrete; up to
four classes are written out one by one, more as indexed vectors.

The record is plain data; the SymPy work is in :mod:`derive.families._categorical`,
loaded when a categorical model is compiled.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from derive.family import Domain, Family, Hooks, Law, LinkSpec, Option, Role, Var

if TYPE_CHECKING:
    import sympy as sp

    from derive.compile import Model

__all__ = ["FAMILY", "LAW_REMARKS"]

# What torch computes of the categorical law's entropies and divergences, by kind of
# derivation (:attr:`derive.family.Law.remarks`); each claim is checked against torch in
# tests/test_render_information.py.
LAW_REMARKS: tuple[tuple[str, str], ...] = (
    (
        "kl",
        "`torch.nn.KLDivLoss` computes this divergence from log-probabilities: its input is "
        "log q, as `torch.log(q)` or as `log_softmax(z)` of logits z, and its target is p, or "
        "log p with `log_target=True`; `KLDivLoss(reduction='batchmean')(torch.log(q), p)` is "
        "KL(P‖Q) averaged over the rows of a batch",
    ),
    (
        "kl",
        "only `reduction='batchmean'` is the mathematical KL divergence: `reduction='mean'`, "
        "the default, divides the sum by N·K (every element of an N × K batch), not by the "
        "batch size N, so it gives KL(P‖Q)/K",
    ),
    (
        "cross-entropy",
        "`torch.nn.CrossEntropyLoss()(z, p)` with probability targets p and logits z, where "
        "q = softmax(z), is H(P, Q) averaged over the rows of a batch; "
        "H(P, Q) = H(P) + KL(P‖Q)",
    ),
)


def _compile(family: Family, link: str, options: dict[str, str | None]) -> Model:
    from derive.families._categorical import compile_categorical

    return compile_categorical(family, link, options)


def categorical_density(v: Mapping[str, sp.Expr]) -> sp.Expr:
    """Categorical(y; p) = ∏_{k=1}^{K} p_k^{[y = k]} on y ∈ {1, …, K}, the law of
    ``derive entropy categorical`` (K symbolic; a concrete K unrolls the product)."""
    import sympy as sp

    y, p, k, classes = v["y"], v["p"], v["k"], v["K"]
    factor = sp.Pow(p[k], sp.KroneckerDelta(y, k), evaluate=False)  # type: ignore[index]
    return sp.Product(factor, (k, 1, classes))


def categorical_moments(phi: sp.Expr, v: Mapping[str, sp.Expr]) -> sp.Expr | None:
    """E[[y = j]] = p_j under Categorical(p): the probability of class j."""
    import sympy as sp

    y = v["y"]
    if isinstance(phi, sp.KroneckerDelta) and y in phi.args:
        (j,) = [a for a in phi.args if a != y] or [y]
        if not j.has(y):
            return v["p"][j]  # type: ignore[index,no-any-return]
    return None


FAMILY = Family(
    name="categorical",
    aliases=(),
    summary="y ∈ {1, …, K}, y ~ Categorical(q)",
    variables=(
        Var("y", Role.TARGET, Domain.LABELS),
        Var("q", Role.PREDICTION, Domain.SIMPLEX),
    ),
    links=(
        LinkSpec(
            "identity",
            ("NLLLoss", "KLDivLoss", "CrossEntropyLoss"),
            "NLLLoss (on log q); KLDivLoss with --targets soft; "
            "CrossEntropyLoss (on log q) with --label-smoothing",
        ),
        LinkSpec("softmax", ("CrossEntropyLoss",), "CrossEntropyLoss", compare_mse=True),
    ),
    options=(
        Option(
            "classes",
            "--classes",
            "categorical: a concrete number of classes (2..64; above 4 the classes are "
            "written as indexed vectors); default symbolic K",
            metavar="K",
            unset="K",
            figure="3",
        ),
        Option(
            "targets",
            "--targets",
            "categorical: class-index (one-hot) or probability targets",
            metavar="{onehot,soft}",
            choices=("onehot", "soft"),
            default="onehot",
        ),
        Option(
            "label_smoothing",
            "--label-smoothing",
            "categorical: smooth one-hot targets, 0 <= EPS < 1 (e.g. 0.1)",
            metavar="EPS",
        ),
    ),
    hooks=Hooks(compile=_compile),
    law=Law(
        name="Categorical",
        parameters=(Var("p", Role.FIXED, Domain.SIMPLEX),),
        support=Domain.LABELS,
        density=categorical_density,
        torch="Categorical",
        torch_args=(("probs", "p"),),
        moments=categorical_moments,
    ),
)
