"""The public functions ``derive.entropy``, ``cross_entropy``, ``kl`` and ``identity``.

Thin wrappers over :func:`derive.information.engine.information` and the
identity registry that check their arguments the way the command line does and
give the results their notebook display (``to_latex``, ``to_markdown``,
``_repr_markdown_``), rendered by :mod:`derive.render.information`::

    >>> from derive import kl
    >>> d = kl("normal", "normal")
    >>> d.laws[0].torch()["class"]
    'torch.distributions.Normal'
"""

from __future__ import annotations

from derive.errors import DeriveError
from derive.family import Family
from derive.information.engine import Information, information
from derive.information.identity import Identity
from derive.information.instance import MAX_CLASSES

__all__ = ["cross_entropy", "entropy", "identity", "kl", "parse_classes"]


def parse_classes(classes: object) -> int | None:
    """A concrete number of classes, 2 to 64 (``None``: a symbolic K), from an int or text."""
    if classes is None:
        return None
    if isinstance(classes, bool) or not isinstance(classes, (int, str)):
        raise DeriveError(f"--classes is a whole number, not {type(classes).__name__}")
    text = str(classes).strip()
    if not text.isdigit() or len(text) > 4:
        raise DeriveError(
            f"--classes must be a whole number from 2 to {MAX_CLASSES}, got {text[:20]!r}"
        )
    value = int(text)
    if not 2 <= value <= MAX_CLASSES:
        raise DeriveError(f"--classes must be from 2 to {MAX_CLASSES}, got {value}")
    return value


def entropy(name: str | Family, *, base: object = "e", classes: object = None) -> Information:
    """H(P) of the law of ``name``, derived from its density; ``base`` e, 2 or 10."""
    return information("entropy", name, base=base, classes=parse_classes(classes))


def cross_entropy(
    p: str | Family, q: str | Family, *, base: object = "e", classes: object = None
) -> Information:
    """H(P, Q) = E_P[−log q], derived from the densities."""
    return information("cross-entropy", p, q, base=base, classes=parse_classes(classes))


def kl(
    p: str | Family, q: str | Family, *, base: object = "e", classes: object = None
) -> Information:
    """KL(P‖Q) = E_P[log p − log q], derived from the densities."""
    return information("kl", p, q, base=base, classes=parse_classes(classes))


def identity(name: str) -> Identity:
    """The identity ``name`` (``derive list`` names them), proved or refuted by a witness."""
    from derive.information.identities import identity as build

    return build(name)


# ------------------------------------------------------------------ notebook display


def to_latex(self: Information | Identity, *, standalone: bool = False) -> str:
    """The proof as LaTeX: a fragment for a paper, or with ``standalone`` a document."""
    from derive.render.information import render_latex

    return render_latex(self, standalone=standalone)


def to_markdown(self: Information | Identity) -> str:
    """The proof as GitHub-flavoured Markdown (math in ``$…$`` and ``$$…$$``)."""
    from derive.render.information import render_markdown

    return render_markdown(self)


for _cls in (Information, Identity):
    setattr(_cls, "to_latex", to_latex)  # noqa: B010 - attached, as derive.display does
    setattr(_cls, "to_markdown", to_markdown)  # noqa: B010
    setattr(_cls, "_repr_markdown_", to_markdown)  # noqa: B010
