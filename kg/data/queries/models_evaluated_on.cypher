// Question: Which models were evaluated on a benchmark?
// Param: benchmark = "MMLU"   (benchmark or dataset name or alias, any case)
// Param: include_knowledge = false   (also list relations from kg's lexicon that no paper states)
// Ranked by support (how many papers state it); evidence = one sentence that does.
MATCH (m:Model)-[r:EVALUATED_ON]->(d:Dataset)
WHERE (toLower(d.name) = toLower($benchmark)
       OR any(alias IN coalesce(d.aliases, []) WHERE toLower(alias) = toLower($benchmark)))
  AND (coalesce(r.provenance, 'text') <> 'knowledge' OR $include_knowledge)
RETURN d.name AS dataset, m.name AS model, r.provenance AS provenance, r.support AS support,
       r.evidence[0] AS evidence, r.evidence_papers[0] AS paper
ORDER BY dataset, support DESC, model, provenance
