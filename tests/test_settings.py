from pathlib import Path

import pytest

from assistant.settings import SettingsError, load_settings


def test_defaults_work_offline(tmp_path):
    settings = load_settings(env={"ASSISTANT_SETTINGS": ""})
    assert settings.embedding_backend == "e5"
    assert settings.chroma_host is None
    assert not settings.llm_configured


def test_environment_overrides_the_settings_file(tmp_path):
    file = tmp_path / "assistant.toml"
    file.write_text('llm_model = "from-file"\nchroma_port = 9001\ndata_dir = "file-data"\n')
    settings = load_settings(env={"ASSISTANT_LLM_MODEL": "from-env"}, settings_file=file)
    assert settings.llm_model == "from-env"
    assert settings.chroma_port == 9001
    assert settings.data_dir == Path("file-data")


def test_api_key_is_never_printed():
    settings = load_settings(env={"OPENAI_API_KEY": "sk-secret-1234567890", "ASSISTANT_SETTINGS": ""})
    assert settings.openai_api_key == "sk-secret-1234567890"
    assert "secret" not in repr(settings)
    assert "secret" not in str(settings)
    assert settings.llm_configured


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"CHROMA_PORT": "eighty"}, "CHROMA_PORT"),
        ({"ASSISTANT_EMBEDDINGS": "word2vec"}, "ASSISTANT_EMBEDDINGS"),
        ({"ASSISTANT_EMBEDDINGS": "openai"}, "OPENAI_API_KEY"),
    ],
)
def test_bad_values_say_which_setting(env, fragment):
    with pytest.raises(SettingsError, match=fragment):
        load_settings(env={**env, "ASSISTANT_SETTINGS": ""})


def test_unknown_key_in_settings_file_is_named(tmp_path):
    file = tmp_path / "assistant.toml"
    file.write_text('llm_modle = "typo"\n')
    with pytest.raises(SettingsError, match="llm_modle"):
        load_settings(env={}, settings_file=file)


def test_missing_settings_file_is_an_error(tmp_path):
    with pytest.raises(SettingsError, match="not found"):
        load_settings(env={"ASSISTANT_SETTINGS": str(tmp_path / "nope.toml")})
