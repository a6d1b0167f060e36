"""torch's CosineAnnealingWarmRestarts (SGDR): the core's cosine over torch's period counters.

Each value is :func:`lrjit.kernels.cosine` of ``T_cur / T_i``; the counters
follow torch's recursion (``T_cur += 1``, a restart at the end of each
period), compiled for table mode in :func:`._recurrences.restarts_fill`.
"""

import math

import numpy as np

from .. import cosine_restarts
from .. import kernels as _k
from .._checks import is_real
from ._base import LRScheduler, _Engine, floats
from ._interop import check_precompute, set_value, values
from ._recurrences import restarts_fill
from ._state import check_int, check_real

__all__ = ["CosineAnnealingWarmRestarts"]


class _RestartRows:
    """Table mode's SGDR counters (``T_cur``, ``T_i``) per step, typed as torch's are."""

    __slots__ = ("cur", "per", "whole")

    def __init__(self, cur, per, whole):
        self.cur, self.per, self.whole = cur, per, whole

    def rows(self, a, b):
        cur, per = self.cur[a:b], self.per[a:b]
        if self.whole:
            return list(zip(cur.astype(np.int64).tolist(), per.astype(np.int64).tolist()))
        return list(zip(cur.tolist(), per.tolist()))

    def __call__(self, scheduler, row):
        scheduler.T_cur, scheduler.T_i = row


class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing with warm restarts, SGDR (torch's CosineAnnealingWarmRestarts).

    Period ``i`` lasts ``T_0 * T_mult ** i`` epochs; within it
    ``eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2``.
    ``step()`` advances ``T_cur`` by one; ``step(epoch)`` takes a float epoch
    too (e.g. ``epoch + batch / batches``) and, as torch does, finds the
    period with ``int(log(epoch / T_0 * (T_mult - 1) + 1, T_mult))``, whose
    rounding can put an exact restart at the end of the previous period
    (lrjit keeps that quirk for parity; :func:`lrjit.cosine_restarts` and
    plain steps find the period exactly).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> opt = SimpleNamespace(param_groups=[{"lr": 1.0}])
    >>> s = CosineAnnealingWarmRestarts(opt, T_0=2)
    >>> [round(s.step() or s.get_last_lr()[0], 12) for _ in range(4)]
    [0.5, 1.0, 0.5, 1.0]
    """

    _stateful = True

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1, *, precompute=None):
        self._lrjit = _Engine(check_precompute(precompute))
        if not is_real(T_0) or T_0 <= 0 or not isinstance(T_0, int):
            raise ValueError(f"Expected positive integer T_0, but got {T_0!r}")
        if not is_real(T_mult) or T_mult < 1 or not isinstance(T_mult, int):
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult!r}")
        if not isinstance(eta_min, (float, int)) or isinstance(eta_min, bool):
            raise ValueError(
                f"Expected float or int eta_min, but got {eta_min!r} of type {type(eta_min)}"
            )
        if not (math.isfinite(eta_min) and eta_min >= 0):
            raise ValueError(f"eta_min must be a finite number >= 0, got {eta_min!r}")
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def _check_state(self, state):
        super()._check_state(state)
        check_int(state, "T_0", 1)
        check_int(state, "T_mult", 1)
        check_real(state, "eta_min", 0.0)
        check_real(state, "T_i", 0.0, low_open=True)
        check_real(state, "T_cur", 0.0)

    def _compute(self):
        t_cur, t_i, eta = float(self.T_cur), float(self.T_i), float(self.eta_min)
        lrs = []
        for b in self.base_lrs:  # a loop: a comprehension's closure cells cost more here
            lrs.append(_k.cosine(t_cur, float(b), t_i, eta, 1, 1.0, 1.0, 1.0))  # libm cos: torch's bits
        return lrs

    def step(self, epoch=None):
        """Advance one epoch, or jump to ``epoch`` (a float works) with torch's closed form."""
        e = self._lrjit
        if epoch is None and self.last_epoch >= 0:
            k = self.last_epoch + 1
            groups = self.optimizer.param_groups
            if e.h0 <= k < e.h1 and len(groups) == e.ngroups:
                j = k - e.h0
                row = e.rows[j]
                self.last_epoch = k
                for g, v in zip(groups, row):
                    g["lr"] = v
                self.T_cur, self.T_i = e.xrows[j]
                self._last_lr = list(row)
                return
            self.last_epoch = k
            vals = self._from_table()
            if vals is None:
                self.T_cur = self.T_cur + 1
                if self.T_cur >= self.T_i:
                    self.T_cur = self.T_cur % self.T_i
                    self.T_i = self.T_i * self.T_mult
                vals = self._compute()
        else:
            if epoch is None:
                epoch = 0
            elif epoch < 0:
                raise ValueError(f"Expected non-negative epoch, but got {epoch}")
            self._invalidate()
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log((epoch / self.T_0 * (self.T_mult - 1) + 1), self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult ** (n)
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
            self.last_epoch = math.floor(epoch)
            vals = self._compute()
        for group, lr in zip(self.optimizer.param_groups, vals, strict=True):
            set_value(group, "lr", lr)
        self._last_lr = values(self.optimizer, "lr")

    def _fill(self, k, n):
        t_cur, t_i = self.T_cur, self.T_i
        whole = isinstance(t_cur, int) and isinstance(t_i, int)
        table = np.empty((len(self.base_lrs), n))
        cur, per = np.empty(n), np.empty(n)
        restarts_fill(
            float(t_cur),
            float(t_i),
            float(self.T_mult),
            float(self.eta_min),
            floats(self.base_lrs),
            table,
            cur,
            per,
        )
        return self._set_table(k, table, extra=_RestartRows(cur, per, whole))

    def _schedule_for(self, i):
        return cosine_restarts(
            float(self.base_lrs[i]), self.T_0, end_value=float(self.eta_min), period_mult=self.T_mult
        )
