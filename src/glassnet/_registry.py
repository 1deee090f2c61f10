"""How every family turns a name into an object, and back.

Each family (activations, losses, initializers, metrics, optimizers, schedules)
builds one :class:`Registry` and keeps its public ``get``/``names`` as thin
wrappers, so names resolve the same way everywhere (STYLE habit 9): a name, or a
``{"name": ..., **config}`` dict, is looked up; an unknown name is refused with
the list of valid ones; an object of the family is copied or passed through.
A Keras class-style name (``"BinaryCrossentropy"``, ``"ReLU"``) resolves to the
entry it spells in snake case. The way back is :class:`Configurable`, the base of
every family's class: an object is its registry ``name`` plus ``get_config()``,
which also gives it equality, a hash and a ``Class(key=value)`` repr.

Example
-------
>>> import math
>>> table = Registry("function", {"sqrt": math.sqrt}, accepts="a name")
>>> table.get("sqrt")(4.0)
2.0
>>> table.get("cbrt")
Traceback (most recent call last):
...
ValueError: Unknown function: 'cbrt'. Valid names: 'sqrt'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from glassnet._validation import describe

#: See ``Registry(config_error=...)``.
ConfigError = Callable[[Any, Any, dict, "TypeError | None"], "Exception | None"]


class Registry:
    """Names → entries (classes, factories or plain functions) for one family.

    Parameters
    ----------
    family : str
        The family's name in messages (``"activation"``): ``"Unknown activation:
        'x'. Valid names: ..."`` and ``"activation must be ... Received:
        activation=..."``.
    entries : mapping of str to callable
        Names (aliases included) to what they resolve to.
    accepts : str
        What ``get`` takes, for the TypeError: ``"activation must be {accepts}"``.
    base : type, optional
        The family's class. Its instances are copied from their config
        (``instances="copy"``, and a subclass gives a default instance) or returned
        themselves (``instances="same"``), and names build ``entry(**config)``.
        Without ``base``, entries are plain functions: a name gives the entry
        itself, any callable passes through, and a config is refused.
    instances : {"copy", "same"}
        How an instance of ``base`` is resolved.
    configs : type or None
        The type of a ``{"name": ..., **config}`` identifier (``dict``, ``Mapping``),
        or None when configs are not accepted.
    ignore_case : bool
        Look names up lower-cased (the message still echoes the original).
    extra_names : iterable of str
        Names the family's own ``get`` resolves before the registry (listed too).
    config_error : callable, optional
        ``config_error(name, entry, config, error)`` builds the family's exception
        for a config that ``entry(**config)`` refuses with a TypeError (without
        ``base``: for any config, with ``entry`` and ``error`` None), or returns
        None to let that TypeError through. By default: "<Family> 'name' does not
        accept <config>."
    """

    def __init__(
        self,
        family: str,
        entries: Mapping[str, Callable[..., Any]],
        *,
        accepts: str,
        base: type | None = None,
        instances: str = "copy",
        configs: type | None = dict,
        ignore_case: bool = False,
        extra_names: Iterable[str] = (),
        config_error: ConfigError | None = None,
    ) -> None:
        self.family = family
        self.entries = entries  # not a copy: a module's public table stays live
        self.accepts = accepts
        self.base = base
        self.instances = instances
        self.configs = configs
        self.ignore_case = ignore_case
        self.extra_names = tuple(extra_names)
        self.config_error = config_error

    def names(self) -> list[str]:
        """Every accepted name, aliases and ``extra_names`` included, sorted."""
        return sorted([*self.entries, *self.extra_names])

    def get(self, identifier: Any) -> Any:
        """Resolve ``identifier`` (see the class docstring for the rules)."""
        base = self.base
        if base is not None and isinstance(identifier, base):
            if self.instances == "same":
                return identifier
            return type(identifier)(**identifier.get_config())
        if (
            base is not None
            and self.instances == "copy"
            and isinstance(identifier, type)
            and issubclass(identifier, base)
        ):
            return identifier()
        name, config = identifier, {}
        if self.configs is not None and isinstance(identifier, self.configs):
            config = dict(identifier)
            name = config.pop("name", None)
        if base is None:
            if config:
                raise self._config_error(name, None, config, None)
            if callable(name):
                return name
        if not isinstance(name, str):
            raise TypeError(
                f"{self.family} must be {self.accepts}. "
                f"Received: {self.family}={describe(name)}"
            )
        entry = self.entries.get(name.lower() if self.ignore_case else name)
        if entry is None and name != name.lower():
            entry = self.entries.get(self._class_style(name))
        if entry is None:
            valid = ", ".join(repr(n) for n in self.names())
            raise ValueError(f"Unknown {self.family}: {name!r}. Valid names: {valid}")
        if base is None:
            return entry
        try:
            return entry(**config)
        except TypeError as error:
            replacement = self._config_error(name, entry, config, error)
            if replacement is None:
                raise
            raise replacement from None

    def _class_style(self, name: str) -> str:
        """The entry a Keras class-style name means ("BinaryCrossentropy"), or ''."""
        key = name.replace("_", "").lower()
        for candidate in self.entries:
            if candidate.replace("_", "").lower() == key:
                return candidate
        return ""

    def _config_error(
        self, name: Any, entry: Any, config: dict, error: TypeError | None
    ) -> Exception | None:
        """The family's exception for a refused config (None: re-raise ``error``)."""
        if self.config_error is not None:
            return self.config_error(name, entry, config, error)
        return TypeError(
            f"{self.family.capitalize()} {name!r} does not accept {describe(config)}."
        )


class Configurable:
    """An object that is its class plus its constructor arguments.

    Subclasses set ``name`` (their registry name) and override ``get_config``
    when their constructor takes arguments, so ``get({"name": obj.name,
    **obj.get_config()})`` rebuilds ``obj``. Two objects are equal when they
    have the same class and config; the repr shows the config. A family whose
    objects are mutable (schedules) sets ``__hash__ = None``.

    Example
    -------
    >>> class Scaled(Configurable):
    ...     name = "scaled"
    ...     def __init__(self, factor=2.0):
    ...         self.factor = factor
    ...     def get_config(self):
    ...         return {"factor": self.factor}
    >>> Scaled(3.0), Scaled(3.0) == Scaled(3.0), Scaled() == Scaled(3.0)
    (Scaled(factor=3.0), True, False)
    """

    name: str = ""

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments as a JSON-able dict (``{}`` when there are none)."""
        return {}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.get_config() == self.get_config()

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(sorted(self.get_config().items()))))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def class_registry(family: str, table: dict, base: type) -> Registry:
    """A class registry (optimizers, schedules): instances pass, any case, Mappings."""

    def invalid_config(name: str, cls: type, config: dict, error: TypeError) -> Any:
        # an unexpected keyword names the class; other TypeErrors pass unchanged
        if "unexpected keyword argument" not in str(error):
            return None
        return TypeError(f"Invalid config for {family} {cls.name!r}: {error}")

    return Registry(
        family,
        table,
        accepts=f"a name, a {base.__name__} or a config dict with a 'name'",
        base=base,
        instances="same",
        configs=Mapping,
        ignore_case=True,
        config_error=invalid_config,
    )
