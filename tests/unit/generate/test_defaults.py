from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kitchenctl.config import Settings
from kitchenctl.errors import ConfigError
from kitchenctl.generate import GeneratorDefaults, License
from kitchenctl.generate.defaults import defaults_from_settings


def _settings(knife: dict[str, Any], credentials: Path | None = None) -> Settings:
    return Settings(profile="work", credentials_file=credentials, knife=knife)


def test_nothing_configured_means_chef_clis_defaults() -> None:
    assert defaults_from_settings(_settings({})) == GeneratorDefaults()


def test_knife_cookbook_keys_set_the_owner(tmp_path: Path) -> None:
    defaults = defaults_from_settings(
        _settings(
            {
                "cookbook_copyright": "Acme Ops",
                "cookbook_email": "ops@acme.test",
                "cookbook_license": "apache2",
                "generator_templates": "templates",
            },
            tmp_path / ".chef" / "credentials",
        )
    )

    assert defaults == GeneratorDefaults(
        "Acme Ops", "ops@acme.test", License.apachev2, tmp_path / ".chef" / "templates"
    )


def test_templates_path_expands_home(isolated_home: Path) -> None:
    defaults = defaults_from_settings(_settings({"generator_templates": "~/tpl"}))
    assert defaults.template_dir == isolated_home / "tpl"


def test_a_bad_license_names_the_table(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        defaults_from_settings(
            _settings({"cookbook_license": "bsd"}, tmp_path / "credentials")
        )
    assert caught.value.message == (
        f"{tmp_path / 'credentials'} [work.knife]: cookbook_license = 'bsd' "
        "is not a license"
    )


def test_a_non_string_value_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        defaults_from_settings(_settings({"cookbook_email": 42}))
    assert caught.value.message == "[work.knife]: cookbook_email must be a string"
