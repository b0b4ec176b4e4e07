// Question: Which models and datasets does an organization develop?
// Param: organization = "OpenAI"   (organization name or alias, any case)
// Param: include_knowledge = false   (also list relations from kg's lexicon that no paper states)
// Ranked by support (how many papers state it).
MATCH (e:Model|Dataset)-[r:DEVELOPED_BY]->(o:Organization)
WHERE (toLower(o.name) = toLower($organization)
       OR any(alias IN coalesce(o.aliases, []) WHERE toLower(alias) = toLower($organization)))
  AND (coalesce(r.provenance, 'text') <> 'knowledge' OR $include_knowledge)
RETURN o.name AS organization, labels(e)[0] AS label, e.name AS name,
       r.provenance AS provenance, r.support AS support
ORDER BY organization, support DESC, label, name, provenance
