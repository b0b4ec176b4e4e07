// Question: How are two entities connected (the shortest path between them, up to 8 hops)?
// Param: source = "BLOOM"   (model, dataset, organization or language; name or alias, any case)
// Param: target = "ROOTS"   (model, dataset, organization or language; name or alias, any case)
// Relationships are followed in either direction. When several paths are equally
// short, the first by relationship types, then node keys, is shown, so every store
// (Neo4j, the embedded one) gives the same path.
// A hop may be a relation from kg's lexicon (provenance knowledge): a path filter would
// make ArcadeDB drop the pair instead of looking for a longer path, so every
// relationship is followed and each hop says where it comes from.
MATCH (a:Model|Dataset|Organization|Language)
WHERE toLower(a.name) = toLower($source)
   OR any(alias IN coalesce(a.aliases, []) WHERE toLower(alias) = toLower($source))
MATCH (b:Model|Dataset|Organization|Language)
WHERE (toLower(b.name) = toLower($target)
       OR any(alias IN coalesce(b.aliases, []) WHERE toLower(alias) = toLower($target)))
  AND b <> a
MATCH path = allShortestPaths((a)-[*..8]-(b))
WITH a, b, path,
     reduce(s = '', r IN relationships(path) | s + type(r) + coalesce(r.provenance, '') + '|') +
     reduce(s = '', n IN nodes(path) | s + n.key + '|') AS tie
ORDER BY tie
WITH a, b, collect(path)[0] AS path
RETURN a.name AS source, b.name AS target, length(path) AS length,
       [n IN nodes(path) | n.name] AS nodes,
       [n IN nodes(path) | labels(n)[0]] AS labels,
       [r IN relationships(path) | type(r)] AS relationships,
       [r IN relationships(path) | coalesce(r.provenance, '')] AS provenance
ORDER BY length, source, target
