// Question: Which languages does a model cover?
// Param: model = "Llama-GENBA-10B"   (model name or alias, any case)
// Param: include_knowledge = false   (also list relations from kg's lexicon that no paper states)
MATCH (m:Model)-[r:COVERS_LANGUAGE]->(l:Language)
WHERE (toLower(m.name) = toLower($model)
       OR any(alias IN coalesce(m.aliases, []) WHERE toLower(alias) = toLower($model)))
  AND (coalesce(r.provenance, 'text') <> 'knowledge' OR $include_knowledge)
RETURN m.name AS model, l.name AS language, l.kind AS kind, r.provenance AS provenance,
       r.support AS support
ORDER BY model, support DESC, language, provenance
