// Question: What was a model trained and evaluated on?
// Param: model = "BLOOM"   (model name or alias, any case)
// Param: include_knowledge = false   (also list relations from kg's lexicon that no paper states)
// support = how many papers state the relation; provenance = text (stated in a title or
// abstract), name (follows from two names a paper uses) or knowledge (kg's lexicon);
// evidence = one sentence that states it, from the paper with the id in paper.
MATCH (m:Model)-[r:TRAINED_ON|EVALUATED_ON]->(d:Dataset)
WHERE (toLower(m.name) = toLower($model)
       OR any(alias IN coalesce(m.aliases, []) WHERE toLower(alias) = toLower($model)))
  AND (coalesce(r.provenance, 'text') <> 'knowledge' OR $include_knowledge)
RETURN m.name AS model, type(r) AS relation, d.name AS dataset, r.provenance AS provenance,
       r.support AS support, r.evidence[0] AS evidence, r.evidence_papers[0] AS paper
ORDER BY model, relation DESC, support DESC, dataset, provenance
