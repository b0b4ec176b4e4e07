// Question: Which entities are mentioned in the same papers as a given entity?
// Param: entity = "BLOOM"   (model, dataset, organization or language; name or alias, any case)
// Param: min_papers = 1   (least number of shared papers)
// Param: limit = 20   (how many neighbours to list)
MATCH (e:Model|Dataset|Organization|Language)
WHERE toLower(e.name) = toLower($entity)
   OR any(alias IN coalesce(e.aliases, []) WHERE toLower(alias) = toLower($entity))
MATCH (e)-[r:CO_MENTIONED]-(other)
WHERE r.weight >= $min_papers
RETURN e.name AS entity, other.name AS neighbour, labels(other)[0] AS label, r.weight AS papers
ORDER BY papers DESC, neighbour, label, entity
LIMIT $limit
