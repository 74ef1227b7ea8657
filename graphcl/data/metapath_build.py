"""Build a binary meta-path adjacency from typed edge lists (HeCo ``data/mp_gen.py``).

HeCo does not ship DBLP's ``aptpa.npz``; its generator computes ``APT = (PA^T PT) > 0`` and
``APTPA = (APT APT^T) > 0``. Binarising after every product gives the same 0/1 pattern as the
full product ``A P T P A > 0`` while keeping the intermediate values small.

Reference: Wang et al., "Self-supervised Heterogeneous Graph Neural Network with
Co-contrastive Learning", KDD 2021.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def _binary(m: sp.spmatrix) -> sp.csr_matrix:
    m = sp.csr_matrix(m, dtype=np.float32)
    m.sum_duplicates()
    m.data[:] = 1.0
    m.eliminate_zeros()
    return m


def incidence(edges: np.ndarray, n_src: int, n_dst: int) -> sp.csr_matrix:
    """0/1 ``n_src x n_dst`` matrix of an ``[E, 2]`` edge list (duplicate edges count once)."""
    ones = np.ones(len(edges), dtype=np.float32)
    return _binary(sp.coo_matrix((ones, (edges[:, 0], edges[:, 1])), shape=(n_src, n_dst)))


def build_metapath(letters: str, relations: dict[tuple[str, str], sp.csr_matrix]) -> sp.csr_matrix:
    """0/1 adjacency of meta-path ``letters`` (e.g. ``"APTPA"``).

    Args:
        letters: one type letter per step; must start and end with the same letter.
        relations: ``(x, y) -> incidence matrix`` for the relations available; a missing
            ``(x, y)`` is taken as the transpose of ``(y, x)``.
    """
    letters = letters.lower()
    if len(letters) < 3 or letters[0] != letters[-1]:
        raise ValueError(f"meta-path {letters.upper()!r} must have >= 3 letters and start and end with the same type")
    steps = []
    for x, y in zip(letters[:-1], letters[1:]):
        if (x, y) in relations:
            steps.append(relations[(x, y)])
        elif (y, x) in relations:
            steps.append(relations[(y, x)].T.tocsr())
        else:
            raise KeyError(
                f"meta-path {letters.upper()!r} needs edges between {x!r} and {y!r}; "
                f"available relations: {sorted(relations)}"
            )
    half = len(steps) // 2
    if len(steps) % 2 == 0 and letters == letters[::-1]:
        # symmetric path: M = first half, result = M M^T (HeCo's apt @ apt.T)
        m = steps[0]
        for step in steps[1:half]:
            m = _binary(m @ step)
        return _binary(m @ m.T)
    m = steps[0]
    for step in steps[1:]:
        m = _binary(m @ step)
    return m
