"""The cue words of ``kg/data/patterns/relations.json`` as sets and phrase tables, loaded once."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from kg.extract.lexicon import load_json

Phrases = dict[str, tuple[tuple[str, ...], ...]]


class Cues:
    """``relations.json`` as sets and tuples, loaded once."""

    def __init__(self, data: dict[str, Any]) -> None:
        def words(key: str) -> frozenset[str]:
            return frozenset(str(w) for w in data[key])

        def phrases(key: str) -> Phrases:
            by_first: dict[str, list[tuple[str, ...]]] = {}
            for phrase in sorted((tuple(p) for p in data[key]), key=len, reverse=True):
                by_first.setdefault(phrase[0], []).append(phrase)
            return {first: tuple(found) for first, found in by_first.items()}

        self.clause_breaks = words("clause_breaks")
        self.subject_pronouns = words("subject_pronouns")
        self.self_words = words("self_words")
        self.self_phrases = phrases("self_phrases")
        self.other_subjects = words("other_subjects")
        self.determiners = words("determiners")
        self.preps = words("preps")
        self.list_gaps = words("list_gaps")
        self.outperform_prefixes = tuple(data["outperform_prefixes"])
        self.outperform_phrases = phrases("outperform_phrases")
        self.outperform_bad_prefixes = tuple(data["outperform_bad_prefixes"])
        self.example_words = words("example_words")
        self.comparison_preps = words("comparison_preps")
        self.negations = words("negations")
        self.hedges = words("hedges")
        self.passive_words = words("passive_words")
        self.eval_cue_prefixes = tuple(data["eval_cue_prefixes"])
        self.eval_intro = words("eval_intro")
        self.use_to_evaluate = tuple(data["use_to_evaluate"])
        self.score_heads = words("score_heads")
        self.score_verbs = tuple(data["score_verbs"])
        self.gain_verbs = tuple(data["gain_verbs"])
        self.eval_intro_phrases = phrases("eval_intro_phrases")
        self.eval_in_needs = tuple(data["eval_in_needs"])
        self.train_prefixes = tuple(data["train_prefixes"])
        self.train_preps = words("train_preps")
        self.train_adverbs = words("train_adverbs")
        self.train_skips = words("train_skips")
        self.data_from = phrases("data_from")
        self.train_as = phrases("train_as")
        self.used_to_train = phrases("used_to_train")
        self.own_data_phrases = phrases("own_data_phrases")
        self.example_phrases = phrases("example_phrases")
        self.purpose_verbs = words("purpose_verbs")
        self.train_stops = words("train_stops")
        self.corpus_heads = words("corpus_heads")
        self.not_train_prefixes = tuple(data["not_train_prefixes"])
        self.finetune_from = phrases("finetune_from")
        self.weak_finetune = frozenset(tuple(p) for p in data["weak_finetune_from"])
        self.finetune_verbs = words("finetune_verbs")
        self.derivation_participles = tuple(data["derivation_participles"])
        self.variant_nouns = words("variant_nouns")
        self.adjective_markers = words("adjective_markers")
        self.finetune_results = phrases("finetune_results")
        self.result_skips = words("result_skips")
        self.base_skips = words("base_skips")
        self.naming = words("naming")
        self.finetune_cue_prefixes = tuple(data["finetune_cue_prefixes"])
        self.tuning_suffixes = words("tuning_suffixes")
        self.derivation_prefixes = tuple(data["derivation_prefixes"])
        self.develop_verbs = words("develop_verbs")
        self.org_verbs = words("org_verbs")
        self.org_heads = words("org_heads")
        self.developer_heads = words("developer_heads")
        self.developer_modifiers = words("developer_modifiers")
        self.create_verbs = words("create_verbs")
        self.tool_words = words("tool_words")
        self.tool_suffixes = tuple(data["tool_suffixes"])
        self.non_endpoint_heads = words("non_endpoint_heads")
        self.non_endpoint = re.compile("|".join(data["non_endpoint_patterns"]), re.IGNORECASE)
        self.benchmark_name = re.compile("|".join(data["benchmark_name_patterns"]), re.I)
        self.benchmark_heads = words("benchmark_heads")
        self.cover_verbs = words("cover_verbs")
        self.cover_gaps = words("cover_gaps")
        self.language_heads = words("language_heads")
        self.data_heads = words("data_heads")
        self.eval_walk_stops = words("eval_walk_stops")
        self.language_suffixes = tuple(data["language_suffixes"])
        self.language_nouns = words("language_nouns")
        self.introduce_verbs = words("introduce_verbs")
        self.adjacency = words("adjacency")
        self.adverbs = words("adverbs")
        self.object_verbs = words("object_verbs")


@cache
def cues() -> Cues:
    return Cues(load_json("patterns/relations.json"))
