"""The `spindeln` command: init, demo, user add, link, db upgrade."""

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from spindeln.auth.models import Role, User
from spindeln.cli import main
from spindeln.demo import DISTRICTS
from spindeln.programmes.models import Programme
from spindeln.survey.models import Response, Round, RoundState

REPO = Path(__file__).parents[2]


def run(instance: Path, *args: str, input: str | None = None):
    result = CliRunner().invoke(main, ["--instance", str(instance), *args], input=input, catch_exceptions=False)
    return result


def database(instance: Path) -> Session:
    return Session(create_engine(f"sqlite:///{instance / 'spindeln.sqlite'}"))


def test_init_creates_config_and_database_and_changes_nothing_when_run_again(tmp_path):
    instance = tmp_path / "stad"
    first = run(instance, "init")
    assert first.exit_code == 0, first.output
    config = (instance / "config.toml").read_text()
    assert "SECRET_KEY" in config
    assert (instance / "spindeln.sqlite").exists()
    assert oct((instance / "config.toml").stat().st_mode)[-3:] == "600"
    second = run(instance, "init")
    assert second.exit_code == 0
    assert "migrated" not in second.output and "Created" not in second.output
    assert (instance / "config.toml").read_text() == config


def test_commands_on_an_instance_that_was_never_initialised_say_what_to_do(tmp_path):
    result = CliRunner().invoke(main, ["--instance", str(tmp_path / "none"), "demo"])
    assert result.exit_code != 0
    assert "spindeln" in result.output and "init" in result.output


def test_demo_creates_the_realistic_programme_once(tmp_path):
    instance = tmp_path / "demo"
    run(instance, "init")
    result = run(instance, "demo")
    assert result.exit_code == 0, result.output
    assert "demo@example.org" in result.output
    with database(instance) as session:
        programme = session.scalar(select(Programme))
        assert sorted(u.name for u in programme.units) == sorted(DISTRICTS)
        assert [p.key for p in programme.professions] == ["foraldraradgivare", "oppna_forskolan", "bvc_bmm"]
        states = [r.state for r in programme.rounds]
        assert states == [RoundState.closed] * 6 + [RoundState.open]
        count_by_round = dict(
            session.execute(select(Round.number, func.count(Response.id)).join(Response).group_by(Round.number)).all()
        )
        assert all(60 <= count_by_round[n] <= 120 for n in range(1, 7))
        # One profession in one district has only two respondents in every round.
        skarholmen = next(u for u in programme.units if u.name == "Skärholmen")
        bvc = next(p for p in programme.professions if p.key == "bvc_bmm")
        small = session.scalars(
            select(func.count(Response.id)).where(Response.unit_id == skarholmen.id, Response.profession_id == bvc.id)
            .group_by(Response.round_id)
        ).all()
        assert small == [2] * 6
        answers = b"".join(session.scalars(select(Response.answers)))
        assert 0 < answers.count(255) < len(answers) * 0.1  # some "cannot assess"
        assert session.scalar(select(User)).role is Role.admin
    again = run(instance, "demo")
    assert "already there" in again.output


def test_user_add_reads_the_password_from_stdin(tmp_path):
    instance = tmp_path / "i"
    run(instance, "init")
    result = run(instance, "user", "add", "Forskare@Example.org", "--role", "researcher", "--password-stdin",
                 input="ett långt lösenord\n")
    assert result.exit_code == 0, result.output
    with database(instance) as session:
        user = session.scalar(select(User))
        assert user.email == "forskare@example.org" and user.role is Role.researcher
        assert user.check_password("ett långt lösenord")
    short = CliRunner().invoke(main, ["--instance", str(instance), "user", "add", "x@example.org", "--password-stdin"],
                               input="kort\n")
    assert short.exit_code != 0 and "at least 10" in short.output
    twice = CliRunner().invoke(main, ["--instance", str(instance), "user", "add", "forskare@example.org",
                                      "--password-stdin"], input="ett långt lösenord\n")
    assert twice.exit_code != 0 and "already" in twice.output


def test_link_prints_the_respondent_path_of_a_round_and_a_unit(tmp_path):
    instance = tmp_path / "demo"
    run(instance, "init")
    run(instance, "demo")
    general = run(instance, "link", "--programme", "stis-ytterstaden", "--round", "7")
    assert general.exit_code == 0
    path = general.output.strip()
    assert path.startswith("/r/") and len(path) >= 3 + 22
    assert run(instance, "link", "--programme", "stis-ytterstaden", "--round", "7").output.strip() == path
    unit = run(instance, "link", "--programme", "stis-ytterstaden", "--round", "7", "--unit", "hässelby-vällingby")
    assert unit.exit_code == 0 and unit.output.strip() != path
    missing = CliRunner().invoke(main, ["--instance", str(instance), "link", "--programme", "stis-ytterstaden",
                                        "--round", "7", "--unit", "Gotham"])
    assert missing.exit_code != 0 and "no unit 'Gotham'" in missing.output


def test_the_console_script_and_environment_variable_work(tmp_path):
    instance = tmp_path / "env-instance"
    env = os.environ | {"SPINDELN_INSTANCE": str(instance)}
    script = Path(sys.executable).parent / "spindeln"
    result = subprocess.run([str(script), "init"], env=env, capture_output=True, text=True, check=True)
    assert str(instance) in result.stdout
    help_text = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("init", "demo", "serve", "user", "link", "db"):
        assert command in help_text
