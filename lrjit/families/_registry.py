"""The family registry: one record per schedule family, read by everything that lists families.

Each family module (``lrjit/families/<name>.py``) holds the family's tier-1
kernel and its tier-3 factory side by side, and ends with one
:func:`register` call.  The package's exports, :mod:`lrjit.kernels`,
:mod:`lrjit.ufuncs`, :data:`lrjit.FACTORIES`, :func:`lrjit.warmup`,
:func:`lrjit.sweep`, :mod:`lrjit.cuda`, the command line and
:mod:`lrjit.lr_schedule` all read :data:`REGISTRY`; only the dispatch switch
(:func:`lrjit.kernels.piece_at`) names the families itself, and a test holds
it against this registry.
"""

import functools
import inspect
from dataclasses import dataclass, field

__all__ = ["Family", "REGISTRY", "FACTORIES", "PROGRAM_OPTIONS", "register"]

#: Kernel parameters that are a front-end's choice, not a factory argument:
#: ``libm_cos`` (every cosine family; 0, cospi, for every core factory; 1, libm's
#: ``math.cos`` in torch's order, passed by :mod:`lrjit.optim` to keep torch's bits) and
#: ``libm_pow`` (``polynomial``: 0 takes :func:`lrjit.kernels.power.power`'s square and
#: square root; 1 is libm's ``pow`` at every power).
PROGRAM_OPTIONS = ("libm_cos", "libm_pow")


@dataclass(frozen=True)
class Family:
    """One schedule family.

    Attributes
    ----------
    name : str
        The factory's name: ``lrjit.<name>``, ``"type"`` in configs.
    factory : callable
        Validates its arguments and returns a :class:`lrjit.Schedule`.
    kernel : numba dispatcher or None
        The tier-1 kernel ``kernel(step, *layout)``; ``None`` for a
        composition (``join``).
    code : int or None
        The stable code of the kernel in schedule programs (``kinds``), or
        ``None`` when the family's programs are made of other families'
        pieces (``multistep`` is a join of constants).
    sequences : tuple of str
        Factory arguments that are sequences: :func:`lrjit.sweep` cannot
        broadcast them, and a kernel parameter among them is an array.
    choices : dict
        String options and the float code each choice has in a program row,
        e.g. ``{"anneal_strategy": {"cos": 0.0, "linear": 1.0}}``.
    layout : tuple of str
        The kernel's parameter names after ``step``: a program row's columns,
        in order (read from the kernel's signature at registration).
    """

    name: str
    factory: object
    kernel: object = None
    code: int = None
    sequences: tuple = ()
    choices: dict = field(default_factory=dict)
    layout: tuple = ()

    @property
    def scalar_kernel(self):
        """Whether every kernel parameter is a number (so it has a NumPy ufunc)."""
        return self.kernel is not None and not set(self.layout) & set(self.sequences)

    def schedule(self, args, horizon, pieces=None):
        """A :class:`lrjit.Schedule` of this family with the factory's checked ``args``.

        One piece, this family's kernel on :meth:`row` ``(args)``, unless
        ``pieces`` (``(code, row, start)`` triples) says otherwise.
        """
        if pieces is None:
            pieces = [(self.code, self.row(args), 0.0)]
        return _schedule_class()(self.name, args, pieces, horizon)

    def with_options(self, schedule, **options):
        """``schedule`` (one piece of this family) with program options set, e.g. ``libm_cos=1``.

        The torch and transformers front-ends' exact-libm programs: the
        options are stored in the args (so ``to_dict`` and :func:`lrjit.from_dict`
        keep them) and in the row.
        """
        unknown = sorted(set(options) - (set(PROGRAM_OPTIONS) & set(self.layout)))
        if unknown:
            raise ValueError(f"{self.name} has no program option(s) {unknown}")
        checked = {}
        for name, value in options.items():
            if value not in (0, 1) or isinstance(value, bool):
                raise ValueError(f"{name} must be 0 or 1, got {value!r}")
            checked[name] = float(value)
        if schedule.family != self.name or schedule.kinds.shape[0] != 1:
            raise ValueError(f"with_options takes a one-piece {self.name} schedule")
        args = {**dict(schedule.args), **checked}
        row = schedule.params[0, : len(self.layout)].tolist()  # the factory's own row
        for name, value in checked.items():
            row[self.layout.index(name)] = value
            if value == self.defaults[name]:  # the default is not stored, as elsewhere
                del args[name]
        return self.schedule(args, schedule.horizon, pieces=[(self.code, row, 0.0)])

    def row(self, args):
        """The program row of a factory's checked ``args``: the layout's values as floats.

        A kernel parameter with a default may be absent from ``args``: the
        factories store an optional parameter only when it differs from the
        kernel's default, so schedules built before it existed keep their
        ``repr``, ``to_dict`` and equality.
        """
        return [
            self.choices[name][args[name]]
            if name in self.choices and name in args
            else float(args[name] if name in args else self.defaults[name])
            for name in self.layout
        ]

    @functools.cached_property
    def defaults(self):
        """The kernel's parameters that have defaults, with their values."""
        if self.kernel is None:
            return {}
        params = inspect.signature(self.kernel.py_func).parameters
        return {n: p.default for n, p in params.items() if p.default is not p.empty}


@functools.cache
def _schedule_class():
    # Tier 3 imports the drivers, which import the kernels defined beside each
    # factory: the class is looked up at the first factory call, not at import.
    from ..schedule import Schedule

    return Schedule


#: Every family by name, in the order of registration (stable codes first).
REGISTRY = {}

#: Every factory by family name: what :func:`lrjit.from_dict` and configs resolve ``"type"`` with.
FACTORIES = {}


def register(name, factory, kernel=None, code=None, sequences=(), choices=None):
    """Record a family; returns its :class:`Family`.

    Names and codes are unique; the factory must take every kernel parameter
    but the :data:`PROGRAM_OPTIONS`.
    """
    layout = () if kernel is None else tuple(inspect.signature(kernel.py_func).parameters)[1:]
    family = Family(name, factory, kernel, code, tuple(sequences), dict(choices or {}), layout)
    if name in REGISTRY:
        raise ValueError(f"family {name!r} is registered twice")
    if code is not None and any(f.code == code for f in REGISTRY.values()):
        raise ValueError(f"family code {code} of {name!r} is taken")
    taken = set(inspect.signature(factory).parameters) | set(PROGRAM_OPTIONS)
    missing = set(family.layout) - taken
    if missing:
        raise ValueError(f"{name}'s kernel takes {sorted(missing)}, which its factory lacks")
    REGISTRY[name] = family
    FACTORIES[name] = factory
    return family
