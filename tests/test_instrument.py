"""The instrument file and its loader."""

import tomllib

import pytest

from spindeln.instrument import InstrumentError, InstrumentRegistry, load_instrument, parse_instrument, shipped_instrument_files


def shipped_data() -> dict:
    path = next(p for p in shipped_instrument_files() if p.name == "spindeln-stis-1.toml")
    return tomllib.loads(path.read_text(encoding="utf-8"))


def test_shipped_instrument_has_nine_items_on_three_dimensions_and_context():
    instrument = InstrumentRegistry().get("spindeln-stis", "1")
    assert instrument.item_keys == tuple(f"q{i}" for i in range(1, 10))
    assert [d.key for d in instrument.dimensions] == ["regelverk", "organisation", "synsatt", "sammanhang"]
    per_dimension = {d.key: len(instrument.items_of(d.key)) for d in instrument.dimensions}
    assert per_dimension == {"regelverk": 2, "organisation": 3, "synsatt": 2, "sammanhang": 2}
    assert [i.dimension for i in instrument.items[-2:]] == ["sammanhang", "sammanhang"]
    assert instrument.dimension("sammanhang").context is True
    assert (instrument.scale.min, instrument.scale.max, instrument.scale.points) == (1, 10, 10)
    assert instrument.cannot_assess.get("sv") == "Kan inte bedöma"
    assert instrument.items[0].text.get("en") != instrument.items[0].text.get("sv")


def test_every_problem_is_reported_with_its_place():
    data = shipped_data()
    data["version"] = ""
    data["scale"]["max"] = 1
    del data["items"][2]["label"]["en"]
    data["items"][4]["dimension"] = "regler"
    data["items"][5]["key"] = "q1"
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(data, "broken.toml")
    problems = caught.value.problems
    assert any(p.startswith("version:") for p in problems)
    assert any(p.startswith("scale:") for p in problems)
    assert "items[3].label.en: missing or empty text" in problems
    assert any(p.startswith("items[5].dimension: unknown dimension 'regler'") for p in problems)
    assert "items[6].key: item 'q1' is defined twice" in problems
    assert len(problems) == 5
    assert "broken.toml" in str(caught.value)


def test_a_dimension_without_items_is_an_error():
    data = shipped_data()
    data["items"] = [i for i in data["items"] if i["dimension"] != "synsatt"]
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(data)
    assert caught.value.problems == ["dimensions: dimension 'synsatt' has no items"]


def test_files_that_are_not_toml_or_not_text_are_reported(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text('id = "x"\nversion = \n', encoding="utf-8")
    with pytest.raises(InstrumentError, match="not valid TOML"):
        load_instrument(broken)
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('name.sv = "Förskola"'.encode("cp1252"))
    with pytest.raises(InstrumentError, match="not UTF-8"):
        load_instrument(latin1)
    with pytest.raises(InstrumentError, match="cannot read"):
        load_instrument(tmp_path / "missing.toml")


def test_a_programme_can_load_another_instrument_from_the_instance(tmp_path):
    data = shipped_data()
    text = (next(p for p in shipped_instrument_files() if p.name == "spindeln-stis-1.toml")).read_text(encoding="utf-8")
    own = text.replace('id = "spindeln-stis"', 'id = "familjecentral"').replace("min = 1\nmax = 10", "min = 1\nmax = 5")
    (tmp_path / "familjecentral.toml").write_text(own, encoding="utf-8")
    registry = InstrumentRegistry([tmp_path])
    other = registry.get("familjecentral", "1")
    assert other.scale.points == 5
    assert registry.get("spindeln-stis", "1").scale.points == 10
    assert data["id"] == "spindeln-stis"


def test_the_same_id_and_version_with_other_content_is_refused(tmp_path):
    text = (next(p for p in shipped_instrument_files() if p.name == "spindeln-stis-1.toml")).read_text(encoding="utf-8")
    (tmp_path / "changed.toml").write_text(text.replace("Lagar och regler", "Lagar"), encoding="utf-8")
    with pytest.raises(InstrumentError, match="new version"):
        InstrumentRegistry([tmp_path])
