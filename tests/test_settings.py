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
    ("url", "shown"),
    [
        ("http://user:hunter2@127.0.0.1:11434/v1", "http://***@127.0.0.1:11434/v1"),
        ("https://llm.example.com/v1?api_key=sk-hunter2&region=eu", "https://llm.example.com/v1?api_key=***&region=eu"),
        ("http://[::1]:8000/v1?token=hunter2", "http://[::1]:8000/v1?token=***"),
        ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1"),
    ],
)
def test_credentials_inside_the_base_url_are_never_shown(url, shown):
    from assistant.settings import public_url

    settings = load_settings(env={"OPENAI_BASE_URL": url, "ASSISTANT_SETTINGS": ""})
    assert settings.openai_base_url == url  # the client still gets them
    assert public_url(url) == shown
    assert "hunter2" not in repr(settings)


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


def test_run_from_another_folder_finds_the_project_prompts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    found = load_settings({}, None)
    assert (Path(found.prompts_dir) / "composer" / "ru.yaml").is_file()
    with pytest.raises(SettingsError, match="prompts folder .* not found"):
        load_settings({"ASSISTANT_PROMPTS_DIR": str(tmp_path / "nowhere")}, None)
