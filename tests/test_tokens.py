import hashlib
import os
import subprocess
import sys

from assistant.tokens import install_offline_encodings

TIKTOKEN_O200K_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"


def test_encodings_are_placed_under_tiktokens_cache_key(tmp_path):
    install_offline_encodings(tmp_path)
    key = hashlib.sha1(b"https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken").hexdigest()
    assert hashlib.sha256((tmp_path / key).read_bytes()).hexdigest() == TIKTOKEN_O200K_SHA256
    assert os.environ["TIKTOKEN_CACHE_DIR"] == str(tmp_path)


def test_damaged_cache_file_is_replaced(tmp_path):
    install_offline_encodings(tmp_path)
    key = hashlib.sha1(b"https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken").hexdigest()
    (tmp_path / key).write_bytes(b"garbage")
    install_offline_encodings(tmp_path)
    assert hashlib.sha256((tmp_path / key).read_bytes()).hexdigest() == TIKTOKEN_O200K_SHA256


def test_tokens_are_counted_with_no_network(tmp_path):
    """A fresh process whose every HTTP request would fail still counts tokens."""
    code = (
        "from assistant.tokens import count_tokens\n"
        "print(count_tokens('Курьер опоздал на 5 часов'), count_tokens('The courier was late'))"
    )
    env = {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(tmp_path),
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
    }
    env.pop("TIKTOKEN_CACHE_DIR", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    ru, en = map(int, out.stdout.split())
    assert 3 <= ru <= 15 and 3 <= en <= 8
    assert (tmp_path / "tiktoken").is_dir()
