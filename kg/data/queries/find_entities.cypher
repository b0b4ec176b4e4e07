// Question: Which entities have a name or alias that contains some text?
// Param: text = "llama"   (text to look for, any case)
// Param: limit = 25   (how many entities to list)
MATCH (e:Model|Dataset|Organization|Language)
WHERE toLower(e.name) CONTAINS toLower($text)
   OR any(alias IN coalesce(e.aliases, []) WHERE toLower(alias) CONTAINS toLower($text))
RETURN labels(e)[0] AS label, e.name AS name, coalesce(e.paper_count, 0) AS papers,
       coalesce(e.aliases, []) AS aliases
ORDER BY papers DESC, name, label
LIMIT $limit
