"""TRAINED_ON: ``A ... trained / fine-tuned on D``, ``data from D``, ``D as training data``,
``D has been used to train A``, ``the D dataset for A``; never a benchmark-shaped name or one
the paper calls a benchmark."""

from __future__ import annotations

from kg.extract.relations.cues import cues
from kg.extract.relations.sentence import (
    DATASET,
    DATASETS,
    LANGUAGE,
    MODEL,
    MODELS,
    ORG,
    OWN_DATA,
    SELF,
    Item,
    RelationHit,
    Sentence,
    adjacent_before,
    walk_back,
)


def training_cue(s: Sentence, first: int) -> tuple[int, int] | None:
    """``trained on (a mix of) D``, ``data from D``: the cue's token span, if any."""
    c = cues()
    for lead in _train_walk(s, first):
        for length in range(4, 1, -1):
            start = lead - length + 1
            if start >= 0 and s.phrase_at(start, c.data_from) == length:
                _, clause = s.clause_of(start)
                words = s.lowers[clause.start : start]
                if any(w.startswith(c.train_prefixes) for w in words):
                    return start, lead + 1
                return None
        if s.lowers[lead] not in c.train_preps or s.word(lead - 1) in c.train_skips:
            continue
        verb = lead - 1
        while verb >= 0 and s.lowers[verb] in c.train_adverbs:
            verb -= 1
        if verb < 0:
            return None
        word = s.lowers[verb]
        if word.startswith(c.train_prefixes) and not word.startswith(c.not_train_prefixes):
            return verb, lead + 1
        # "train X on D": the verb before the trained model
        item = s.at.get(verb)
        if (
            item is not None
            and item.label == MODEL
            and s.word(item.first - 1).startswith(c.train_prefixes)
        ):
            return item.first - 1, lead + 1
        return None
    return None


def _train_walk(s: Sentence, first: int) -> list[int]:
    """``walk_back`` over the training skips, and on over hyphenated describing words
    (``pre-trained X on an HPC-specific dataset (named D)``)."""
    skips = cues().train_skips
    walked = walk_back(s, first, limit=10, skips=skips)
    while walked and len(walked) < 10 and _compound_adjective(s.lowers[walked[-1]]):
        more = walk_back(s, walked[-1], limit=10 - len(walked), skips=skips)
        if not more:
            break
        walked.extend(more)
    return walked


def _compound_adjective(word: str) -> bool:
    parts = word.split("-")
    return len(parts) > 1 and all(part.isalpha() for part in parts)


def trained_on(s: Sentence, group: list[Item], trigger: tuple[int, int]) -> list[RelationHit]:
    targets = [t for t in group if not _benchmark(s, t)]
    if not targets:
        return []
    verb = trigger[0]
    sources: list[Item | int] = []
    # "train X on D": the model between verb and preposition
    inner = [i for i in s.items if i.label == MODEL and verb < i.first and i.end <= trigger[1]]
    derived_verb = not s.lowers[verb].startswith(("train", "pretrain", "pre-train")) or s.word(
        verb - 1
    ) in {"continue", "continued", "continuing", "further", "continually"}
    if inner and derived_verb:
        # "we fine-tune / continue pretraining B on D": the paper's model, derived from B
        sources = [SELF] if s.self_referent(verb) else []
    elif inner:
        sources = [i for i in inner if i.ref not in s.tools]
    else:
        near = adjacent_before(s, verb, MODELS)
        subject = near or s.subject(verb, MODELS)
        if subject:
            sources = [i for i in subject if i.ref not in s.tools]
        elif verb == 0 or s.word(verb - 1) in {",", "when", "after", "once", "being"}:
            after = _participle_subject(s, group[-1].end)
            sources = list(after) if after else ([SELF] if s.self_referent(verb) else [])
        elif s.self_referent(verb):
            sources = [SELF]
    return [
        s.hit("TRAINED_ON", source, target, "train.on", 0.75, trigger)
        for source in sources
        for target in targets
    ]


def _participle_subject(s: Sentence, after: int) -> list[Item] | None:
    """``Trained on D, X achieves ...``: the first Model group after the comma."""
    for token in range(after, len(s.lowers)):
        if s.lowers[token] == ",":
            groups = s.groups(MODELS, token + 1, len(s.lowers))
            if groups and groups[0][0].first <= token + 3:
                return [i for i in groups[0] if i.ref not in s.tools]
            return None
    return None


def trained_as(s: Sentence) -> list[RelationHit]:
    """``using D as training data``, ``D for pretraining``."""
    c = cues()
    hits: list[RelationHit] = []
    for group in s.groups(DATASETS, 0, len(s.lowers)):
        after = group[-1].end
        length = s.phrase_at(after, c.train_as)
        if not length:
            continue
        subject = s.subject(group[0].first, MODELS)
        sources: list[Item | int] = (
            [i for i in subject if i.ref not in s.tools]
            if subject
            else ([SELF] if s.self_referent(group[0].first) else [])
        )
        for source in sources:
            for target in group:
                if not _benchmark(s, target):
                    hits.append(s.hit("TRAINED_ON", source, target, "train.as-data", 0.7,
                                      (after, after + length)))  # fmt: skip
    return hits


def _benchmark(s: Sentence, item: Item) -> bool:
    """A benchmark is not training data: its name, or the word after it, says so."""
    c = cues()
    return bool(c.benchmark_name.search(s.text(item))) or s.word(item.end) in c.benchmark_heads


def used_to_train(s: Sentence) -> list[RelationHit]:
    """``D has been used to train X``, ``D ... allows us to train X``, ``the D dataset for X``."""
    c = cues()
    hits: list[RelationHit] = []
    for token in range(len(s.lowers)):
        length = s.phrase_at(token, c.used_to_train)
        if not length:
            continue
        models = _trained_after(s, token + length)
        data: list[Item | int] = [*_data_before(s, token)] if models else []
        if models and not data and _own_data_before(s, token):
            data = [OWN_DATA]  # "these datasets have been used in the training of X"
        trigger = (token, token + length)
        hits += [
            s.hit("TRAINED_ON", model, target, "train.used-to-train", 0.7, trigger)
            for model in models
            for target in data
        ]
    return hits + _dataset_for_model(s)


def _trained_after(s: Sentence, token: int) -> list[Item]:
    """The model group a ``used to train`` cue reaches: the first model within a few tokens,
    over articles, numbers, capitalised words and organizations
    (``to train the 176-billion-parameter BigScience ... (BLOOM) language model``)."""
    c = cues()
    for index in range(token, min(len(s.lowers), token + 12)):
        named = s.at.get(index)
        if named is not None:
            if named.label == MODEL:
                group = next(g for g in s.groups(MODELS, named.first, len(s.lowers)))
                return [i for i in group if i.ref not in s.tools]
            if named.label not in {ORG, LANGUAGE}:
                return []
            continue
        examples = _examples_at(s, index)
        if examples:  # "the training of strong models, such as A, O's B and C"
            return [i for i in s.items if i.label == MODEL and i.first >= examples]
        if s.lowers[index] in c.train_stops:
            return []
    return []


def _examples_at(s: Sentence, index: int) -> int:
    """Where the examples start when ``, such as`` / ``, including`` begins at ``index``
    (the comma optional), else 0."""
    at = index + 1 if s.lowers[index] == "," else index
    length = s.phrase_at(at, cues().example_phrases)
    return at + length if length else 0


def _data_before(s: Sentence, token: int) -> list[Item]:
    """The dataset the cue is said of: the clause's dataset subject, else its last dataset
    group before the cue; none when a model stands between (the cue is said of the model)."""
    _, clause = s.clause_of(token)
    group = s.subject(token, DATASETS)
    if not group:
        groups = s.groups(DATASETS, clause.start, token)
        if not groups:
            return []
        group = groups[-1]
    if any(i.label == MODEL and group[-1].end <= i.first < token for i in s.items):
        return []  # "D was compared with the data of M used to train X": said of M's data
    return [item for item in group if not _benchmark(s, item)]


def trained_to_show(s: Sentence) -> list[RelationHit]:
    """``To show the viability of D, we train ... models named X``: a purpose phrase names the
    data, and the model the main clause trains is trained on it."""
    c = cues()
    words = s.lowers
    if len(words) < 6 or words[0] != "to" or words[1] not in c.purpose_verbs:
        return []
    comma = next((i for i in range(2, min(len(words), 16)) if words[i] == ","), None)
    if comma is None or comma + 2 >= len(words) or words[comma + 1] != "we":
        return []
    verb = comma + 2
    if not words[verb].startswith(c.train_prefixes) or words[verb].startswith("learn"):
        return []
    data = [i for i in s.items if i.label == DATASET and i.end <= comma and not _benchmark(s, i)]
    ends = [i for i in range(verb, len(words)) if words[i] in {";", "."}]
    limit = min([*ends, verb + 16, len(words)])
    model = next(
        (
            i
            for i in s.items
            if i.label == MODEL and verb < i.first < limit and i.ref not in s.tools
        ),
        None,
    )
    if not data or model is None:
        return []
    group = next(g for g in s.groups(MODELS, model.first, len(words)))
    return [
        s.hit("TRAINED_ON", item, target, "train.purpose", 0.7, (verb, verb + 1))
        for item in group
        if item.ref not in s.tools
        for target in data
    ]


def _own_data_before(s: Sentence, token: int) -> bool:
    """Whether the cue's clause speaks of the paper's own data (``these datasets``, ``our
    corpus``) before the cue, with no other name in between."""
    c = cues()
    _, clause = s.clause_of(token)
    for start in range(clause.start, token):
        length = s.phrase_at(start, c.own_data_phrases)
        if length:
            return not any(start + length <= i.first < token for i in s.items)
    return False


def _dataset_for_model(s: Sentence) -> list[RelationHit]:
    """``The RefinedWeb Dataset for Falcon LLM``: a corpus named for the model trained on it."""
    c = cues()
    hits: list[RelationHit] = []
    for item in s.items:
        if item.label != DATASET or _benchmark(s, item):
            continue
        after = item.end
        if s.text(item).lower().rsplit(" ", 1)[-1] not in c.corpus_heads:
            if s.word(after) not in c.corpus_heads:
                continue
            after += 1
        if s.word(after) != "for":
            continue
        named = s.at.get(after + 1 + (1 if s.word(after + 1) == "the" else 0))
        if named is not None and named.label == MODEL and named.ref not in s.tools:
            hits.append(s.hit("TRAINED_ON", named, item, "train.dataset-for", 0.65,
                              (after, after + 1)))  # fmt: skip
    return hits
