"""The admin command for integrator users refuses bad input readably, before it touches the broker."""

from __future__ import annotations

import pytest

from integrasjon.integratorer.__main__ import main


def test_a_bad_name_is_refused_in_norwegian(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--vhost", "sp-hbe", "--rabbitmqctl", "/finnes/ikke", "add", "Apotek 1", "--identitet"]) == 1
    assert "Navnet må være 2–40 tegn" in capsys.readouterr().err


def test_a_missing_rabbitmqctl_is_said_plainly(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["--vhost", "sp-hbe", "--rabbitmqctl", "/finnes/ikke", "add", "apotek", "--uten-identitet"]) == 1
    )
    assert "Fant ikke /finnes/ikke" in capsys.readouterr().err


def test_the_entitlement_must_be_chosen() -> None:
    with pytest.raises(SystemExit):
        main(["--vhost", "sp-hbe", "add", "apotek"])
