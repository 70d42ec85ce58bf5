"""Language codes as the analyst reads them: "fr" is shown as "French (fr)"."""
from __future__ import annotations

# The languages the detector (py3langid) names most often in news; others show as their code.
NAMES = {
    "ar": "Arabic", "ca": "Catalan", "da": "Danish", "de": "German", "el": "Greek", "en": "English",
    "es": "Spanish", "fa": "Persian", "fi": "Finnish", "fr": "French", "he": "Hebrew", "hi": "Hindi",
    "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese", "ko": "Korean",
    "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sv": "Swedish", "sw": "Swahili", "tr": "Turkish", "uk": "Ukrainian",
    "ur": "Urdu", "vi": "Vietnamese", "zh": "Chinese",
}


def language_name(code: str | None) -> str:
    """ "French (fr)" for "fr", the code itself when unknown, "" for none (undetermined)."""
    if not code:
        return ""
    name = NAMES.get(code)
    return f"{name} ({code})" if name else code
