// Question: Which models cover a language?
// Param: language = "Greek"   (language name or alias, any case)
// Param: datasets = false   (also list the datasets that cover it)
MATCH (e:Model|Dataset)-[r:COVERS_LANGUAGE]->(l:Language)
WHERE (toLower(l.name) = toLower($language)
       OR any(alias IN coalesce(l.aliases, []) WHERE toLower(alias) = toLower($language)))
  AND (e:Model OR $datasets)
RETURN l.name AS language, labels(e)[0] AS label, e.name AS name, r.support AS papers
ORDER BY language, label DESC, papers DESC, name
