// Question: Which languages does a model cover?
// Param: model = "Llama-GENBA-10B"   (model name or alias, any case)
MATCH (m:Model)-[r:COVERS_LANGUAGE]->(l:Language)
WHERE toLower(m.name) = toLower($model)
   OR any(alias IN coalesce(m.aliases, []) WHERE toLower(alias) = toLower($model))
RETURN m.name AS model, l.name AS language, l.kind AS kind, r.support AS papers
ORDER BY model, papers DESC, language
