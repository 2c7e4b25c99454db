"""Model ids in the form retirement records are keyed by (`normalize`; the rules are in
registry.retirements' docstring). Kept apart, importing nothing heavy: the scanner
normalises every id it finds, and must not wait for the declaration models to load."""

from __future__ import annotations

import re

_PREFIXES: dict[str, tuple[str, ...]] = {
    "openai": ("openai/", "text-completion-openai/"),
    "anthropic": ("anthropic/",),
    "google": ("gemini/", "models/"),
    "vertex-ai": ("vertex_ai/",),
    "azure-openai": ("azure/", "azure_text/"),
    "mistral": ("mistral/",),
    "cohere": ("cohere/", "cohere_chat/"),
}
_VERTEX_PUBLISHER = re.compile(
    r"^(?:projects/[^/]+/locations/[^/]+/)?publishers/(?:google|anthropic)/models/")
_BEDROCK_PROFILES = ("us-gov.", "us.", "eu.", "apac.", "global.", "au.", "jp.", "ca.")
_BEDROCK_VENDORS = (
    "anthropic", "meta", "amazon", "ai21", "cohere", "mistral", "writer", "twelvelabs",
    "deepseek", "qwen", "openai", "google", "minimax", "moonshot", "moonshotai", "nvidia",
    "zai", "stability", "luma",
)
_BEDROCK_VERSION = re.compile(r":0(?::[0-9a-z]+)?$")
_CLAUDE_DATED_VERSION = re.compile(r"(-\d{8})-v\d+$")


def normalize(platform: str, model_id: str) -> str:
    """The form of `model_id` that records are keyed by on `platform` (the rules are in
    registry.retirements' docstring)."""
    text = model_id.strip().lower()
    if platform == "bedrock":
        return _normalize_bedrock(text)
    for prefix in _PREFIXES.get(platform, ()):
        if text.startswith(prefix):
            text = text[len(prefix):]
            break
    if platform == "vertex-ai":
        text = _VERTEX_PUBLISHER.sub("", text)
        text = text.removesuffix("@default").replace("@", "-")
    return text


def _normalize_bedrock(text: str) -> str:
    if text.startswith(("bedrock/", "arn:")) and "/" in text:
        text = text.rsplit("/", 1)[1]
    for profile in _BEDROCK_PROFILES:
        if text.startswith(profile):
            text = text[len(profile):]
            break
    vendor: str | None = None
    for name in _BEDROCK_VENDORS:
        if text.startswith(name + "."):
            vendor = name
            text = text[len(name) + 1:]
            break
    text = _BEDROCK_VERSION.sub("", text)
    if vendor == "anthropic" or (vendor is None and text.startswith("claude-")):
        text = _CLAUDE_DATED_VERSION.sub(r"\1", text)
    return text
