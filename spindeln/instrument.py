"""The instrument as data: loading and validating versioned instrument files.

An instrument file (TOML) names its id and version, the rating scale, the
"cannot assess" option, the dimensions and the items. Every rating stored by
Spindeln records the instrument id and version it was collected with, so that
rounds are only compared when they asked the same questions on the same scale.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

#: Languages every text of an instrument must be given in.
LANGUAGES = ("sv", "en")
DEFAULT_INSTRUMENT = ("spindeln-stis", "1")
#: Answers are stored one byte per item; one byte value is reserved for "cannot assess".
MAX_SCALE_POINTS = 100
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


class InstrumentError(ValueError):
    """An instrument file that cannot be used; `problems` lists each one with its place."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{source}: {len(problems)} problem(s) in the instrument file:\n{listing}")


@dataclass(frozen=True)
class Text:
    """A text given in every language of `LANGUAGES`."""

    sv: str
    en: str

    def get(self, language: str) -> str:
        """The text in `language`, Swedish for any language the instrument lacks."""
        return self.en if language == "en" else self.sv


@dataclass(frozen=True)
class Scale:
    """The rating scale: integers from `min` to `max`, with labelled end points."""

    min: int
    max: int
    min_label: Text
    max_label: Text

    @property
    def points(self) -> int:
        """The number of scale points (A in the agreement formulas)."""
        return self.max - self.min + 1

    @property
    def values(self) -> range:
        """Every value of the scale, in order."""
        return range(self.min, self.max + 1)


@dataclass(frozen=True)
class Dimension:
    """A dimension of the analysis model, or a group of context items."""

    key: str
    name: Text
    description: Text
    #: Context groups (STIS's own items) are shown apart from the core dimensions.
    context: bool


@dataclass(frozen=True)
class Item:
    """One rated statement."""

    key: str
    dimension: str
    #: Short label for chart axes and tables.
    label: Text
    #: The full statement as the respondent reads it.
    text: Text


@dataclass(frozen=True)
class Instrument:
    """A versioned instrument: scale, dimensions and items in their order."""

    id: str
    version: str
    name: Text
    scale: Scale
    cannot_assess: Text
    dimensions: tuple[Dimension, ...]
    items: tuple[Item, ...]

    @property
    def item_keys(self) -> tuple[str, ...]:
        """Item keys in instrument order."""
        return tuple(item.key for item in self.items)

    def dimension(self, key: str) -> Dimension:
        """The dimension with this key."""
        return next(d for d in self.dimensions if d.key == key)

    def items_of(self, dimension_key: str) -> tuple[Item, ...]:
        """The items of one dimension, in instrument order."""
        return tuple(item for item in self.items if item.dimension == dimension_key)


def parse_instrument(data: dict, source: str = "<instrument>") -> Instrument:
    """Validate parsed instrument data and build an `Instrument`; raise `InstrumentError` listing every problem."""
    problems: list[str] = []

    def text(node: object, place: str) -> Text | None:
        if not isinstance(node, dict):
            problems.append(f"{place}: expected a table with {' and '.join(LANGUAGES)} texts")
            return None
        ok = True
        for lang in LANGUAGES:
            value = node.get(lang)
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{place}.{lang}: missing or empty text")
                ok = False
        return Text(sv=node["sv"].strip(), en=node["en"].strip()) if ok else None

    def key_of(node: dict, place: str) -> str | None:
        key = node.get("key")
        if not isinstance(key, str) or not _KEY.match(key):
            problems.append(f"{place}.key: expected a short lower-case key (a-z, 0-9, _), got {key!r}")
            return None
        return key

    instrument_id = data.get("id")
    if not isinstance(instrument_id, str) or not re.match(r"^[a-z0-9][a-z0-9_.-]{0,63}$", instrument_id):
        problems.append(f"id: expected a lower-case identifier, got {instrument_id!r}")
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool):
        version = str(version)
    if not isinstance(version, str) or not version.strip() or len(version) > 32:
        problems.append(f"version: expected a version string such as \"1\", got {data.get('version')!r}")
    name = text(data.get("name"), "name")

    scale = None
    scale_node = data.get("scale")
    if not isinstance(scale_node, dict):
        problems.append("scale: missing table [scale]")
    else:
        low, high = scale_node.get("min"), scale_node.get("max")
        bounds_ok = True
        for place, value in (("scale.min", low), ("scale.max", high)):
            if not isinstance(value, int) or isinstance(value, bool):
                problems.append(f"{place}: expected a whole number, got {value!r}")
                bounds_ok = False
        if bounds_ok and not 2 <= high - low + 1 <= MAX_SCALE_POINTS:
            problems.append(
                f"scale: from {low} to {high} is not a scale of 2 to {MAX_SCALE_POINTS} points"
            )
            bounds_ok = False
        min_label = text(scale_node.get("min_label"), "scale.min_label")
        max_label = text(scale_node.get("max_label"), "scale.max_label")
        if bounds_ok and min_label and max_label:
            scale = Scale(min=low, max=high, min_label=min_label, max_label=max_label)

    cannot_assess = None
    cannot_node = data.get("cannot_assess")
    if not isinstance(cannot_node, dict):
        problems.append("cannot_assess: missing table [cannot_assess] with its label")
    else:
        cannot_assess = text(cannot_node.get("label"), "cannot_assess.label")

    dimensions: list[Dimension] = []
    dimension_nodes = data.get("dimensions")
    if not isinstance(dimension_nodes, list) or not dimension_nodes:
        problems.append("dimensions: expected at least one [[dimensions]] entry")
        dimension_nodes = []
    for index, node in enumerate(dimension_nodes):
        place = f"dimensions[{index + 1}]"
        if not isinstance(node, dict):
            problems.append(f"{place}: expected a table")
            continue
        key = key_of(node, place)
        if key and any(d.key == key for d in dimensions):
            problems.append(f"{place}.key: dimension {key!r} is defined twice")
            key = None
        dim_name = text(node.get("name"), f"{place}.name")
        description = text(node.get("description"), f"{place}.description")
        context = node.get("context", False)
        if not isinstance(context, bool):
            problems.append(f"{place}.context: expected true or false, got {context!r}")
        if key and dim_name and description and isinstance(context, bool):
            dimensions.append(Dimension(key, dim_name, description, context))

    items: list[Item] = []
    item_nodes = data.get("items")
    if not isinstance(item_nodes, list) or not item_nodes:
        problems.append("items: expected at least one [[items]] entry")
        item_nodes = []
    dimension_keys = {d.key for d in dimensions}
    for index, node in enumerate(item_nodes):
        place = f"items[{index + 1}]"
        if not isinstance(node, dict):
            problems.append(f"{place}: expected a table")
            continue
        key = key_of(node, place)
        if key and any(i.key == key for i in items):
            problems.append(f"{place}.key: item {key!r} is defined twice")
            key = None
        dimension = node.get("dimension")
        if dimension not in dimension_keys:
            known = ", ".join(sorted(dimension_keys)) or "none defined"
            problems.append(f"{place}.dimension: unknown dimension {dimension!r} (known: {known})")
            dimension = None
        label = text(node.get("label"), f"{place}.label")
        item_text = text(node.get("text"), f"{place}.text")
        if key and dimension and label and item_text:
            items.append(Item(key, dimension, label, item_text))

    for dimension in dimensions:
        if item_nodes and not any(item.dimension == dimension.key for item in items):
            problems.append(f"dimensions: dimension {dimension.key!r} has no items")

    if problems:
        raise InstrumentError(source, problems)
    return Instrument(
        id=instrument_id,
        version=version.strip(),
        name=name,
        scale=scale,
        cannot_assess=cannot_assess,
        dimensions=tuple(dimensions),
        items=tuple(items),
    )


def load_instrument(path: str | Path) -> Instrument:
    """Read and validate an instrument file; raise `InstrumentError` listing every problem."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InstrumentError(str(path), [f"cannot read the file: {error.strerror}"]) from error
    except UnicodeDecodeError as error:
        raise InstrumentError(str(path), [f"the file is not UTF-8 text (byte {error.start})"]) from error
    except tomllib.TOMLDecodeError as error:
        raise InstrumentError(str(path), [f"not valid TOML: {error}"]) from error
    return parse_instrument(data, str(path))


def shipped_instrument_files() -> list[Path]:
    """The instrument files shipped inside the package."""
    folder = resources.files("spindeln") / "instruments"
    return sorted(Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".toml"))


class InstrumentRegistry:
    """The instruments an app knows: the shipped ones and those in the instance's `instruments/` folder."""

    def __init__(self, folders: list[Path] | None = None):
        self._by_id: dict[tuple[str, str], Instrument] = {}
        self._paths: dict[tuple[str, str], Path] = {}
        paths = shipped_instrument_files()
        for folder in folders or []:
            if folder.is_dir():
                paths.extend(sorted(folder.glob("*.toml")))
        for path in paths:
            self.add(load_instrument(path), path)

    def add(self, instrument: Instrument, path: Path | None = None) -> None:
        """Register an instrument; the same id and version twice must be the same instrument."""
        ident = (instrument.id, instrument.version)
        known = self._by_id.get(ident)
        if known is not None and known != instrument:
            raise InstrumentError(
                str(path),
                [f"instrument {instrument.id} version {instrument.version} is already known with "
                 f"other content ({self._paths.get(ident)}); give the changed file a new version"],
            )
        self._by_id[ident] = instrument
        if path is not None:
            self._paths[ident] = path

    def get(self, instrument_id: str, version: str) -> Instrument:
        """The instrument with this id and version; `KeyError` when unknown."""
        return self._by_id[(instrument_id, version)]

    def __iter__(self):
        return iter(sorted(self._by_id.values(), key=lambda i: (i.id, i.version)))
