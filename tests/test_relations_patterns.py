"""Relation patterns on made-up sentences in the conventions' shape (docs/annotation.md §9):
comparisons, evaluations, derivations, each asserting what is found and what is not."""

from __future__ import annotations

from kg.extract import load_pipeline
from kg.extract.relations import RelationHit

NLP = load_pipeline()


def _hits(text: str) -> set[tuple[str, str, str]]:
    doc = NLP(text)
    mentions = doc._.kg_mentions

    def name(index: int) -> str:
        return "SELF" if index < 0 else str(mentions[index].text)

    hits: list[RelationHit] = doc._.kg_relations
    return {(h.type, name(h.source), name(h.target)) for h in hits}


# --- OUTPERFORMS -------------------------------------------------------------------------
def test_superior_performance_compared_to_a_list() -> None:
    hits = _hits(
        "Mistral 7B achieves superior performance compared to closed models such as "
        "GPT-3, Llama 2 and Falcon 40B in math benchmarks."
    )
    for loser in ("GPT-3", "Llama 2", "Falcon 40B"):
        assert ("OUTPERFORMS", "Mistral 7B", loser) in hits
    assert ("OUTPERFORMS", "GPT-3", "Mistral 7B") not in hits


def test_outperformance_over_and_win_rate_over() -> None:
    hits = _hits("The resulting Mistral 7B model offers significant outperformance over GPT-3.")
    assert ("OUTPERFORMS", "Mistral 7B", "GPT-3") in hits
    hits = _hits("In human evaluations, Mistral 7B achieves a 68% win rate over Llama 2.")
    assert ("OUTPERFORMS", "Mistral 7B", "Llama 2") in hits


def test_examples_after_a_long_object() -> None:
    hits = _hits(
        "Mistral 7B models outperform state-of-the-art open-source models of equivalent "
        "sizes, such as Pythia, Falcon 40B, and GPT-J, on downstream evaluations."
    )
    for loser in ("Pythia", "Falcon 40B", "GPT-J"):
        assert ("OUTPERFORMS", "Mistral 7B", loser) in hits


def test_matches_and_even_surpasses_is_a_claim_but_or_is_a_hedge() -> None:
    assert ("OUTPERFORMS", "Mistral 7B", "Llama 2") in _hits(
        "Mistral 7B matches and even surpasses Llama 2 in reasoning."
    )
    assert ("OUTPERFORMS", "Mistral 7B", "Llama 2") not in _hits(
        "Mistral 7B rivals or surpasses Llama 2 in reasoning."
    )
    assert ("OUTPERFORMS", "Mistral 7B", "Llama 2") not in _hits(
        "Mistral 7B does not outperform Llama 2 in reasoning."
    )


# --- EVALUATED_ON ------------------------------------------------------------------------
def test_outperforms_in_a_benchmark() -> None:
    hits = _hits("Mistral 7B outperforms Llama 2 in HumanEval after training on 5 epochs.")
    assert ("EVALUATED_ON", "Mistral 7B", "HumanEval") in hits
    assert ("EVALUATED_ON", "Llama 2", "HumanEval") in hits
    # "in" needs a result or comparison word in the clause
    assert not any(h[0] == "EVALUATED_ON" for h in _hits("Llama 2 is popular in HumanEval."))


def test_parenthesised_members_of_an_evaluated_suite() -> None:
    hits = _hits(
        "Llama 2 achieves state-of-the-art accuracy on every MMLU multiple-choice dataset "
        "(GSM8K, HumanEval, MATH), surpassing prior work."
    )
    for benchmark in ("MMLU", "GSM8K", "HumanEval", "MATH"):
        assert ("EVALUATED_ON", "Llama 2", benchmark) in hits
    # a parenthesis after a benchmark that nothing evaluates adds nothing
    assert not any(
        h[0] == "EVALUATED_ON" for h in _hits("The MMLU suite (GSM8K, MATH) was released.")
    )


def test_use_a_benchmark_to_evaluate_models() -> None:
    hits = _hits(
        "We use HumanEval to evaluate state-of-the-art LLMs, including Llama 2, Mistral 7B, "
        "and GPT-3."
    )
    for model in ("Llama 2", "Mistral 7B", "GPT-3"):
        assert ("EVALUATED_ON", model, "HumanEval") in hits
    # used as training data, not to evaluate
    hits = _hits("We use HumanEval to train Llama 2.")
    assert ("EVALUATED_ON", "Llama 2", "HumanEval") not in hits


def test_a_benchmark_score() -> None:
    hits = _hits("For example, Mistral 7B achieves an MMLU score of 60.1, beating Llama 2.")
    assert ("EVALUATED_ON", "Mistral 7B", "MMLU") in hits
    assert ("EVALUATED_ON", "Mistral 7B", "MMLU") not in _hits(
        "Mistral 7B was released with the MMLU scores of other models."
    )


# --- FINE_TUNED_FROM -----------------------------------------------------------------------
def test_fronted_built_on_names_the_model_after_the_comma() -> None:
    hits = _hits(
        "Built on Llama 2 and scaled to 10B parameters, Mistral 7B is continuously "
        "pretrained on 164B tokens."
    )
    assert ("FINE_TUNED_FROM", "Mistral 7B", "Llama 2") in hits
    assert ("FINE_TUNED_FROM", "Llama 2", "Mistral 7B") not in hits


def test_training_participle_on_top_of_a_base() -> None:
    hits = _hits("We present Mistral 7B, trained for reasoning on top of Llama 2 with RL alone.")
    assert ("FINE_TUNED_FROM", "Mistral 7B", "Llama 2") in hits


def test_its_instruction_tuned_variant() -> None:
    hits = _hits(
        "We evaluate Llama 2 (a 70-billion parameter LLM) and its instruction-tuned variant, "
        "Vicuna, on MMLU."
    )
    assert ("FINE_TUNED_FROM", "Vicuna", "Llama 2") in hits
    assert ("FINE_TUNED_FROM", "Llama 2", "Vicuna") not in hits


def test_tuning_noun_with_a_stated_result() -> None:
    hits = _hits(
        "We further conduct supervised fine-tuning (SFT) and DPO on Llama 2 models, "
        "resulting in the creation of Vicuna models."
    )
    assert ("FINE_TUNED_FROM", "Vicuna", "Llama 2") in hits
    # no stated result: nothing says which model the tuning made
    hits = _hits("We conduct supervised fine-tuning (SFT) on Llama 2 models.")
    assert not any(h[0] == "FINE_TUNED_FROM" for h in hits)


def test_a_chat_name_alone_is_no_tuning_cue() -> None:
    hits = _hits("Open-ended evaluations show that Llama 2 70B Chat exhibits strong results.")
    assert not any(h[0] == "FINE_TUNED_FROM" for h in hits)


# --- subject choice ------------------------------------------------------------------------
def test_a_fronted_phrase_ends_at_its_comma() -> None:
    hits = _hits("From Llama 2, Mistral 7B models accept 2T tokens, covering English and French.")
    assert ("COVERS_LANGUAGE", "Mistral 7B", "English") in hits
    assert ("COVERS_LANGUAGE", "Llama 2", "English") not in hits
    hits = _hits("Compared with GPT-3, Falcon 40B and Pythia, Mistral 7B outperforms Llama 2.")
    assert ("OUTPERFORMS", "Mistral 7B", "Llama 2") in hits
    assert ("OUTPERFORMS", "GPT-3", "Llama 2") not in hits


def test_a_fronted_phrase_with_a_verb_leaves_the_subject() -> None:
    hits = _hits("Across all evaluated benchmarks, Mistral 7B beats Llama 2.")
    assert ("OUTPERFORMS", "Mistral 7B", "Llama 2") in hits
    assert ("OUTPERFORMS", "Llama 2", "Mistral 7B") not in hits
    # a verb of the subject's own phrase still makes an object: "we evaluate X"
    hits = _hits("We evaluate Llama 2, which beats GPT-3.")
    assert ("OUTPERFORMS", "Llama 2", "GPT-3") in hits


def test_scores_of_the_compared_models() -> None:
    hits = _hits(
        "For example, Mistral 7B achieves an MMLU score of 60.1, compared to just 45.3 for "
        "Llama 2 and 30.2 for GPT-J."
    )
    for model in ("Mistral 7B", "Llama 2", "GPT-J"):
        assert ("EVALUATED_ON", model, "MMLU") in hits
    # "for" without a score before it is no result
    hits = _hits("Mistral 7B achieves an MMLU score of 60.1, a recipe for Llama 2.")
    assert ("EVALUATED_ON", "Llama 2", "MMLU") not in hits


def test_scores_before_benchmarks() -> None:
    hits = _hits("Mistral 7B obtains 60.1 (MMLU), 52.2 (GSM8K) and 30.5 (HumanEval).")
    for benchmark in ("MMLU", "GSM8K", "HumanEval"):
        assert ("EVALUATED_ON", "Mistral 7B", benchmark) in hits
    assert ("EVALUATED_ON", "Mistral 7B", "MMLU") in _hits(
        "Mistral 7B improves MMLU accuracy from 50.1 to 60.1."
    )
    # a number before a name without a scoring verb is no score
    assert not any(h[0] == "EVALUATED_ON" for h in _hits("Mistral 7B was trained in 2 MMLU runs."))


def test_a_model_beaten_after_the_benchmark_is_evaluated_too() -> None:
    hits = _hits("Mistral 7B achieves 60.1 on MMLU, surpassing Llama 2 (55.0).")
    assert ("EVALUATED_ON", "Llama 2", "MMLU") in hits
    assert ("OUTPERFORMS", "Mistral 7B", "Llama 2") in hits


def test_we_evaluate_x_is_about_x_not_the_paper_model() -> None:
    hits = _hits("We evaluate Mistral 7B on MMLU, GSM8K, and HumanEval.")
    assert ("EVALUATED_ON", "Mistral 7B", "MMLU") in hits
    assert ("EVALUATED_ON", "SELF", "MMLU") not in hits
    hits = _hits("We evaluate our model and Mistral 7B on MMLU.")
    assert {("EVALUATED_ON", "SELF", "MMLU"), ("EVALUATED_ON", "Mistral 7B", "MMLU")} <= hits
