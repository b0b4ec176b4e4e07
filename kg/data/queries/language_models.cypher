// Question: Which models cover a language?
// Param: language = "Greek"   (language name or alias, any case)
// Param: datasets = false   (also list the datasets that cover it)
// Param: include_knowledge = false   (also list relations from kg's lexicon that no paper states)
MATCH (e:Model|Dataset)-[r:COVERS_LANGUAGE]->(l:Language)
WHERE (toLower(l.name) = toLower($language)
       OR any(alias IN coalesce(l.aliases, []) WHERE toLower(alias) = toLower($language)))
  AND (e:Model OR $datasets)
  AND (coalesce(r.provenance, 'text') <> 'knowledge' OR $include_knowledge)
RETURN l.name AS language, labels(e)[0] AS label, e.name AS name, r.provenance AS provenance,
       r.support AS support
ORDER BY language, label DESC, support DESC, name, provenance
